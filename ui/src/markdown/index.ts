export { renderMarkdown, renderMarkdownBlocks, type RenderOptions } from './render'
export { splitThinking, type ThinkSplit } from './think'
export { copyText } from './clipboard'
export { warmUpMarkdown } from './warmUp'
