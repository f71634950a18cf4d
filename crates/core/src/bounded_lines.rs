//! Reading lines from output we do not control (engines, remote endpoints) without letting a
//! line with no newline grow memory: a line is kept up to a cap and the rest of it is skipped.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line read by [`read_line_capped`].
#[derive(Debug, PartialEq, Eq)]
pub enum CappedLine {
    /// The stream ended (nothing was read).
    End,
    /// A whole line (with its `\n` if it had one) is in the buffer.
    Whole,
    /// The line was longer than the cap: its first `cap` bytes are in the buffer, the rest was
    /// read and dropped.
    Cut,
}

/// Appends the next line to `line` (cleared first), keeping at most `cap` bytes of it.
pub async fn read_line_capped<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<CappedLine> {
    line.clear();
    let mut cut = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(match (line.is_empty() && !cut, cut) {
                (true, _) => CappedLine::End,
                (false, true) => CappedLine::Cut,
                (false, false) => CappedLine::Whole,
            });
        }
        let (chunk, found_end) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = cap.saturating_sub(line.len());
        if chunk.len() > room {
            cut = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        if found_end {
            return Ok(if cut {
                CappedLine::Cut
            } else {
                CappedLine::Whole
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_cut_and_the_next_line_survives() {
        let mut input: Vec<u8> = vec![b'x'; 100_000];
        input.extend_from_slice(b"\nshort\nlast");
        let mut reader = tokio::io::BufReader::with_capacity(1024, &input[..]);
        let mut line = Vec::new();
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 10).await.unwrap(),
            CappedLine::Cut
        );
        assert_eq!(line, b"xxxxxxxxxx");
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 10).await.unwrap(),
            CappedLine::Whole
        );
        assert_eq!(line, b"short\n");
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 10).await.unwrap(),
            CappedLine::Whole
        );
        assert_eq!(line, b"last");
        assert_eq!(
            read_line_capped(&mut reader, &mut line, 10).await.unwrap(),
            CappedLine::End
        );
    }
}
