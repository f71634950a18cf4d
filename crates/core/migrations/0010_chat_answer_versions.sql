-- Answer versions and undoable deletes.
--
-- `answers`: the id of the user message an assistant answer answers. A regenerated answer is a new
-- version of the same answer: every version shares `answers`, one is shown, the others are
-- `hidden = 'superseded'`.
-- `hidden`: NULL for a message shown in the conversation; 'superseded' for an answer version not
-- shown now; 'deleted' for a message the user deleted, kept until the next turn so that the
-- delete can be undone.
ALTER TABLE chat_messages ADD COLUMN answers TEXT;
ALTER TABLE chat_messages ADD COLUMN hidden TEXT;
CREATE INDEX chat_messages_answers ON chat_messages (session_id, answers);
