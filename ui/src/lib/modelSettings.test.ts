import { describe, expect, it } from 'vitest'
import { buildSecretEnv, buildSettings, emptySecretEnvForm, emptySettingsForm, maskEnv, maskSecretEnv, modelSettingEntries, parseExtraArgs, settingEntries, type SettingsForm } from './modelSettings'

function form(patch: Partial<SettingsForm>): SettingsForm {
  return { ...emptySettingsForm(), ...patch }
}

function errorOf(patch: Partial<SettingsForm>) {
  const r = buildSettings(form(patch))
  if (r.ok) throw new Error('expected a validation error')
  return r.error
}

describe('buildSettings', () => {
  it('sends nothing for an untouched form', () => {
    expect(buildSettings(emptySettingsForm())).toEqual({ ok: true, settings: {} })
  })

  it('builds every field the user set', () => {
    const r = buildSettings(
      form({
        gpu_layers: '-1',
        threads: ' 8 ',
        batch_size: '2048',
        ubatch_size: '512',
        parallel: '4',
        flash_attention: 'off',
        cache_type_k: 'q8_0',
        cache_type_v: 'f16',
        mmap: 'off',
        mlock: true,
        chat_template: ' chatml ',
      }),
    )
    expect(r).toEqual({
      ok: true,
      settings: {
        gpu_layers: -1,
        threads: 8,
        batch_size: 2048,
        ubatch_size: 512,
        parallel: 4,
        flash_attention: false,
        cache_type_k: 'q8_0',
        cache_type_v: 'f16',
        mmap: false,
        mlock: true,
        chat_template: 'chatml',
      },
    })
    expect(buildSettings(form({ flash_attention: 'on', gpu_layers: '0' }))).toEqual({
      ok: true,
      settings: { flash_attention: true, gpu_layers: 0 },
    })
  })

  it('requires positive whole numbers within the server limits', () => {
    for (const bad of ['0', '-2', '1.5', 'abc', '1e3']) {
      expect(errorOf({ threads: bad })).toMatchObject({ field: 'threads', key: 'settings.errPositive' })
    }
    expect(errorOf({ threads: '1025' })).toMatchObject({ field: 'threads', params: { max: 1024 } })
    expect(errorOf({ parallel: '257' })).toMatchObject({ field: 'parallel', params: { max: 256 } })
    expect(errorOf({ batch_size: '0' }).field).toBe('batch_size')
    expect(buildSettings(form({ parallel: '256', threads: '1024' })).ok).toBe(true)
  })

  it('allows GPU layers of -1 or more only', () => {
    expect(errorOf({ gpu_layers: '-2' })).toMatchObject({ field: 'gpu_layers', key: 'settings.errGpuLayers' })
    expect(errorOf({ gpu_layers: 'all' }).key).toBe('settings.errGpuLayers')
    expect(buildSettings(form({ gpu_layers: '999' })).ok).toBe(true)
  })

  it('keeps the micro-batch at most the batch size', () => {
    expect(errorOf({ batch_size: '256', ubatch_size: '512' })).toMatchObject({ field: 'ubatch_size', key: 'settings.errUbatch' })
    expect(buildSettings(form({ batch_size: '512', ubatch_size: '512' })).ok).toBe(true)
    expect(buildSettings(form({ ubatch_size: '4096' })).ok).toBe(true)
  })

  it('rejects unknown cache types and multi-word templates', () => {
    expect(errorOf({ cache_type_v: 'q2_k' })).toMatchObject({ field: 'cache_type_v', key: 'settings.errCacheType' })
    expect(errorOf({ chat_template: 'chat ml' })).toMatchObject({ field: 'chat_template', key: 'settings.errTemplate' })
  })
})

describe('settingEntries', () => {
  const pairs = (s: Parameters<typeof settingEntries>[0]) => settingEntries(s).map((e) => [e.field, e.value])

  it('lists only the llama.cpp settings that are set, in a stable order', () => {
    expect(pairs({ engine: 'llama_cpp', mlock: false, chat_template: '', threads: 4, gpu_layers: -1 })).toEqual([
      ['gpu_layers', -1],
      ['threads', 4],
      ['mlock', false],
    ])
    expect(settingEntries({ engine: 'llama_cpp' })).toEqual([])
    expect(settingEntries(undefined)).toEqual([])
  })

  it('lists the vLLM and Docker settings with readable labels, hiding environment values', () => {
    expect(pairs({ engine: 'vllm', trust_remote_code: true, gpu_memory_utilization: 0.9, dtype: 'bfloat16' })).toEqual([
      ['gpu_memory_utilization', 0.9],
      ['dtype', 'bfloat16'],
      ['trust_remote_code', true],
    ])
    const docker = settingEntries({ engine: 'vllm_docker', image: 'vllm/vllm-openai:latest', env: ['HF_TOKEN=hf_secret', 'A=1'], trust_remote_code: false, tensor_parallel_size: 2 })
    expect(docker.map((e) => [e.field, e.label, e.value])).toEqual([
      ['image', 'settings.image', 'vllm/vllm-openai:latest'],
      ['env', 'settings.env', 'HF_TOKEN=••• A=•••'],
      ['tensor_parallel_size', 'settings.tensor_parallel_size', 2],
      ['trust_remote_code', 'settings.trust_remote_code', false],
    ])
    expect(JSON.stringify(docker)).not.toContain('hf_secret')
  })

  it('shows a custom command as one line, quoting items with spaces', () => {
    expect(pairs({ engine: 'custom', command: ['python3', '-m', 'srv', '--port', '{port}', '--title', "it's mine"], health_path: '/health', start_timeout_secs: 60 })).toEqual([
      ['command', "python3 -m srv --port {port} --title 'it'\\''s mine'"],
      ['health_path', '/health'],
      ['start_timeout_secs', 60],
    ])
  })
})

describe('secret environment', () => {
  it('shows each secret entry by name with a mask, never a value', () => {
    expect(maskSecretEnv(['HF_TOKEN', 'OPENAI_API_KEY'])).toBe('HF_TOKEN=•••••••• OPENAI_API_KEY=••••••••')
    expect(maskSecretEnv([])).toBe('')
  })

  it('adds the secret entries after the engine settings', () => {
    const settings = { engine: 'vllm_docker' as const, env: ['VLLM_LOGGING_LEVEL=DEBUG', 'HTTP_PROXY'], trust_remote_code: false }
    expect(modelSettingEntries({ settings, secret_env: ['HF_TOKEN'] }).map((e) => [e.field, e.label, e.value])).toEqual([
      ['env', 'settings.env', 'VLLM_LOGGING_LEVEL=••• HTTP_PROXY'],
      ['trust_remote_code', 'settings.trust_remote_code', false],
      ['secret_env', 'settings.secret_env', 'HF_TOKEN=••••••••'],
    ])
    expect(modelSettingEntries({ settings: { engine: 'llama_cpp' }, secret_env: [] })).toEqual([])
  })

  it('leaves a passed-through KEY without a value', () => {
    expect(maskEnv(['HF_HOME', 'A=1=2'])).toBe('HF_HOME A=•••')
  })
})

describe('parseExtraArgs', () => {
  it('splits on any whitespace and drops empty pieces', () => {
    expect(parseExtraArgs('  --temp 0.7\t--top-k   40 \n')).toEqual(['--temp', '0.7', '--top-k', '40'])
    expect(parseExtraArgs('   ')).toEqual([])
  })
})

describe('buildSecretEnv', () => {
  const stored = ['HF_TOKEN', 'WANDB_API_KEY']

  it('leaves the entries out when nothing changed, so the server keeps them', () => {
    expect(buildSecretEnv(stored, emptySecretEnvForm())).toEqual({ ok: true })
    expect(buildSecretEnv(stored, { removed: [], added: [{ name: ' ', value: '' }] })).toEqual({ ok: true })
  })

  it('sends the whole new set: kept entries with an empty value, new ones with theirs', () => {
    expect(buildSecretEnv(stored, { removed: ['WANDB_API_KEY'], added: [] })).toEqual({ ok: true, secretEnv: { HF_TOKEN: '' } })
    expect(buildSecretEnv(stored, { removed: [], added: [{ name: 'OPENAI_API_KEY', value: 'sk-1' }] })).toEqual({
      ok: true,
      secretEnv: { HF_TOKEN: '', WANDB_API_KEY: '', OPENAI_API_KEY: 'sk-1' },
    })
    // A stored name typed again replaces its value; removing every entry sends an empty set.
    expect(buildSecretEnv(stored, { removed: [], added: [{ name: 'HF_TOKEN', value: 'hf_new' }] })).toEqual({
      ok: true,
      secretEnv: { HF_TOKEN: 'hf_new', WANDB_API_KEY: '' },
    })
    expect(buildSecretEnv(stored, { removed: [...stored], added: [] })).toEqual({ ok: true, secretEnv: {} })
  })

  it('says which new entry is wrong', () => {
    const problem = (added: { name: string; value: string }[]) => {
      const r = buildSecretEnv([], { removed: [], added })
      if (r.ok) throw new Error('expected a problem')
      return r.problem
    }
    expect(problem([{ name: '', value: 'x' }])).toEqual({ key: 'edit.secret.errName', row: 0 })
    expect(problem([{ name: 'A', value: '1' }, { name: '1BAD', value: 'x' }])).toMatchObject({ key: 'edit.secret.errNameChars', row: 1 })
    expect(problem([{ name: 'HF_TOKEN', value: '' }])).toMatchObject({ key: 'edit.secret.errValue', params: { name: 'HF_TOKEN' } })
    expect(problem([{ name: 'A', value: '1' }, { name: 'A', value: '2' }])).toMatchObject({ key: 'edit.secret.errDuplicate', row: 1 })
  })
})
