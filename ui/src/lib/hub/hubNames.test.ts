import { describe, expect, it } from 'vitest'
import { fileStem, parseRepoId, quantFromFile, repoBaseName, suggestedModelName } from './hubNames'

describe('quantFromFile', () => {
  it('finds the quantisation a file name carries, the longest that stands alone', () => {
    expect(quantFromFile('smollm2-135m-instruct-q4_1.gguf')).toBe('Q4_1')
    expect(quantFromFile('Qwen2.5-7B-Instruct-Q4_K_M.gguf')).toBe('Q4_K_M')
    expect(quantFromFile('model.IQ3_XS-00001-of-00002.gguf')).toBe('IQ3_XS')
    expect(quantFromFile('Q8_0/model-00001-of-00002.gguf')).toBe('Q8_0')
    expect(quantFromFile('Meta-Llama-3-8B.BF16.gguf')).toBe('BF16')
    expect(quantFromFile('model.gguf')).toBeNull()
    // Part of a longer token is not a quantisation.
    expect(quantFromFile('XQ4_1Y.gguf')).toBeNull()
  })
})

describe('names', () => {
  it('takes the repository name without its owner and -GGUF', () => {
    expect(repoBaseName('HuggingFaceTB/SmolLM2-135M-Instruct-GGUF')).toBe('SmolLM2-135M-Instruct')
    expect(repoBaseName('bartowski/Qwen2.5-7B-Instruct_gguf')).toBe('Qwen2.5-7B-Instruct')
    expect(repoBaseName('org/plain')).toBe('plain')
    expect(fileStem('/a/b/Model-Q4_K_M-00001-of-00003.gguf')).toBe('Model-Q4_K_M')
    expect(fileStem('C:\\models\\x.GGUF')).toBe('x')
  })

  it('suggests a model name from the repository and the quantisation', () => {
    expect(suggestedModelName({ repo: 'HuggingFaceTB/SmolLM2-135M-Instruct-GGUF', file: 'smollm2-135m-instruct-q4_1.gguf', quant: 'Q4_1' })).toBe(
      'SmolLM2-135M-Instruct Q4_1',
    )
    // The quantisation read from the file when the hub gave none.
    expect(suggestedModelName({ repo: 'bartowski/Qwen2.5-7B-Instruct-GGUF', file: 'Qwen2.5-7B-Instruct-Q4_K_M.gguf' })).toBe('Qwen2.5-7B-Instruct Q4_K_M')
    // A label that is a file name (no quantisation known) is not appended.
    expect(suggestedModelName({ repo: 'org/Thing-GGUF', file: 'thing.gguf', quant: 'thing.gguf' })).toBe('Thing')
    // Not twice.
    expect(suggestedModelName({ repo: 'org/Model-Q8_0-GGUF', file: 'model-q8_0.gguf', quant: 'Q8_0' })).toBe('Model-Q8_0')
  })

  it('names local files by where they were found', () => {
    expect(suggestedModelName({ repo: 'llama3.2:3b', file: 'llama3.2:3b', source: 'ollama', quant: 'Q4_K_M' })).toBe('llama3.2:3b')
    expect(suggestedModelName({ repo: '/data/models', file: 'mistral-7b-instruct.Q5_K_M.gguf', source: 'folder' })).toBe('mistral-7b-instruct Q5_K_M')
    expect(suggestedModelName({ repo: null, file: 'starter.gguf', source: 'llmops', quant: 'Q4_0' })).toBe('starter Q4_0')
    expect(suggestedModelName({ repo: 'lmstudio-community/gemma-2-2b-it-GGUF', file: 'gemma-2-2b-it-Q4_K_M.gguf', source: 'lm_studio' })).toBe('gemma-2-2b-it Q4_K_M')
  })
})

describe('parseRepoId', () => {
  it('reads org/name and hub addresses', () => {
    expect(parseRepoId(' HuggingFaceTB/SmolLM2-135M-Instruct-GGUF ')).toBe('HuggingFaceTB/SmolLM2-135M-Instruct-GGUF')
    expect(parseRepoId('https://huggingface.co/bartowski/Qwen2.5-7B-Instruct-GGUF')).toBe('bartowski/Qwen2.5-7B-Instruct-GGUF')
    expect(parseRepoId('https://hf-mirror.com/org/name/tree/main?x=1')).toBe('org/name')
    expect(parseRepoId('hf.co/org/name/blob/main/a.gguf')).toBe('org/name')
    expect(parseRepoId('https://mirror.example/models/org/name')).toBe('org/name')
    // ModelScope's addresses: `/models/owner/name`, with or without the scheme.
    expect(parseRepoId('https://www.modelscope.cn/models/Qwen/Qwen2.5-7B-Instruct-GGUF/files')).toBe('Qwen/Qwen2.5-7B-Instruct-GGUF')
    expect(parseRepoId('modelscope.cn/models/owner/name')).toBe('owner/name')
  })

  it('refuses what names no model repository', () => {
    for (const text of ['', 'qwen 7b', 'org/', '/name', 'org/name/extra', 'a/../b', 'https://huggingface.co/datasets/org/name', 'https://huggingface.co/org']) {
      expect(parseRepoId(text), text).toBeNull()
    }
  })
})
