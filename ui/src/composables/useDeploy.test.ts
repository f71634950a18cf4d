import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Model } from '../generated/Model'
import type { NewModel } from '../generated/NewModel'

const fake = vi.hoisted(() => ({
  api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>>,
  /** What the server holds after a deploy: the model it added. */
  deployed: null as import('../generated/NewModel').NewModel | null,
}))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { useModelsStore } from '../stores/models'
import { ENGINES, instanceOf, modelFrom, PRESETS } from '../lib/deploy/deploy.fixtures'
import { groupPresets, useDeploy } from './useDeploy'

beforeEach(() => {
  setActivePinia(createPinia())
  fake.api = {
    enginesInfo: vi.fn(async () => ENGINES),
    deployPresets: vi.fn(async () => PRESETS),
    addModel: vi.fn(async (m: NewModel) => modelFrom(m)),
    deployModel: vi.fn(async (m: NewModel) => {
      fake.deployed = m
      return instanceOf('m9', m.name)
    }),
    modelDetail: vi.fn(async (id: string) => ({ model: modelFrom(fake.deployed!, id), history: [] })),
    startModel: vi.fn(async (id: string) => instanceOf(id)),
  }
  fake.deployed = null
})

describe('groupPresets', () => {
  it('keeps one engine, grouped by family in first-seen order', () => {
    expect(groupPresets(PRESETS, 'vllm').map((g) => [g.family, g.presets.map((p) => p.id)])).toEqual([
      ['Qwen', ['qwen-vllm', 'qwen-vllm-2']],
      ['Llama 3', ['llama-vllm']],
    ])
    expect(groupPresets(PRESETS, 'custom')).toEqual([])
  })
})

describe('useDeploy', () => {
  it('loads the engines and presets, and follows the chosen engine', async () => {
    const d = useDeploy()
    await d.load()
    expect(d.engineInfo.value?.engine).toBe('llama_cpp')
    expect(d.presetGroups.value.map((g) => g.family)).toEqual(['Qwen'])
    d.setEngine('vllm')
    expect(d.engineInfo.value?.problem?.code).toBe('engine_missing')
    expect(d.presetGroups.value).toHaveLength(2)
  })

  it('refuses to deploy with an engine that cannot run here, but still adds the model', async () => {
    const d = useDeploy()
    await d.load()
    expect(d.deployBlocked.value).toBeNull()
    d.setEngine('vllm')
    expect(d.deployBlocked.value?.code).toBe('engine_missing')
    Object.assign(d.form, { name: 'Q', model: 'Qwen/Q' })
    expect(await d.submit('deploy')).toBeNull()
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    expect(await d.submit('add')).toMatchObject({ name: 'Q', engine: 'vllm' })
    expect(fake.api.addModel).toHaveBeenCalledTimes(1)
  })

  it('keeps what loaded when one list fails', async () => {
    fake.api.deployPresets.mockRejectedValue(new ApiError('network_error', 'down'))
    const d = useDeploy()
    await d.load()
    expect(d.engines.value).toHaveLength(4)
    expect(d.loadError.value?.code).toBe('network_error')
  })

  it('applies a preset; switching engine follows it to the same model, or drops it', async () => {
    const d = useDeploy({ modelsDir: () => '/models' })
    await d.load()
    d.selectPreset('qwen-gguf')
    expect(d.form.model).toBe('/models/qwen-gguf.gguf')
    expect(d.selectedPreset.value?.id).toBe('qwen-gguf')
    // No vLLM twin of this preset in the fixtures: the GGUF path would not fit vLLM.
    d.setEngine('vllm')
    expect(d.form.presetId).toBe('')
    expect(d.form.model).toBe('')
    expect(d.form.name).toBe('Qwen qwen-gguf')
    d.selectPreset('qwen-docker')
    expect(d.form.engine).toBe('vllm_docker')
    d.form.model = 'my/own'
    d.setEngine('custom')
    expect(d.form.model).toBe('my/own')
  })

  it('follows a preset to its twin for the new engine', async () => {
    fake.api.deployPresets.mockResolvedValue([...PRESETS, { ...PRESETS[4], id: 'qwen-docker-vllm', engine: 'vllm', settings: { engine: 'vllm', trust_remote_code: false } }])
    const d = useDeploy()
    await d.load()
    d.selectPreset('qwen-docker')
    d.form.image = 'mine'
    d.setEngine('vllm')
    expect(d.form.presetId).toBe('qwen-docker-vllm')
    expect(d.form.model).toBe('org/qwen-docker')
    expect(d.form.image).toBe('')
  })

  it('shows field errors and sends nothing when the form is invalid', async () => {
    const d = useDeploy()
    d.form.model = 'relative.gguf'
    expect(await d.submit('deploy')).toBeNull()
    expect(Object.keys(d.errors.value).sort()).toEqual(['model', 'name'])
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    expect(fake.api.addModel).not.toHaveBeenCalled()
  })

  it('deploys in one call, then hands over the model it reads back', async () => {
    const deployed: Model[] = []
    const d = useDeploy({ onDeployed: (m) => deployed.push(m) })
    Object.assign(d.form, { engine: 'vllm', name: 'Qwen', model: 'Qwen/Qwen2.5-7B-Instruct', servedName: 'qwen' })
    let release!: () => void
    fake.api.deployModel.mockImplementation((m: NewModel) => new Promise((r) => (release = () => r(instanceOf('m9', m.name)))))
    fake.deployed = { name: 'Qwen', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm', settings: { engine: 'vllm', trust_remote_code: false } }
    const done = d.submit('deploy')
    await vi.waitFor(() => expect(d.phase.value).toBe('deploying'))
    expect(d.busy.value).toBe(true)
    expect(await d.submit('deploy')).toBeNull()
    release()
    expect((await done)?.id).toBe('m9')
    expect(fake.api.deployModel).toHaveBeenCalledTimes(1)
    expect(fake.api.deployModel).toHaveBeenCalledWith({
      name: 'Qwen', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm',
      settings: { engine: 'vllm', trust_remote_code: false, served_model_name: 'qwen' },
    })
    expect(fake.api.addModel).not.toHaveBeenCalled()
    expect(fake.api.startModel).not.toHaveBeenCalled()
    expect(fake.api.modelDetail).toHaveBeenCalledWith('m9')
    expect(deployed.map((m) => [m.id, m.name])).toEqual([['m9', 'Qwen']])
    expect(d.phase.value).toBe('idle')
    expect(d.serverError.value).toBeNull()
    const store = useModelsStore()
    expect(store.models.map((m) => m.id)).toEqual(['m9'])
    expect(store.latestInstance('m9')?.state.kind).toBe('pending')
  })

  it('takes the deployed model from the store when models_changed brought it first', async () => {
    const store = useModelsStore()
    const held = modelFrom({ name: 'Held', path: '/h.gguf' })
    fake.api.deployModel.mockImplementation(async (m: NewModel) => {
      store.models.push(held)
      return instanceOf('m9', m.name)
    })
    const deployed: Model[] = []
    const d = useDeploy({ onDeployed: (m) => deployed.push(m) })
    Object.assign(d.form, { name: 'Held', model: '/h.gguf' })
    expect(await d.submit('deploy')).toEqual(held)
    expect(deployed).toEqual([held])
    expect(fake.api.modelDetail).not.toHaveBeenCalled()
    expect(store.models).toHaveLength(1)
  })

  it('shows the server error and keeps the form when the deploy is refused; a retry deploys afresh', async () => {
    fake.api.deployModel.mockRejectedValueOnce(new ApiError('engine_missing', 'vllm was not found.'))
    const deployed: Model[] = []
    const d = useDeploy({ onDeployed: (m) => deployed.push(m) })
    Object.assign(d.form, { engine: 'vllm', name: 'Q', model: 'Qwen/Q' })
    expect(await d.submit('deploy')).toBeNull()
    expect(d.serverError.value).toMatchObject({ code: 'engine_missing', message: 'vllm was not found.' })
    expect(d.deployedUnread.value).toBeNull()
    expect(d.form).toMatchObject({ name: 'Q', model: 'Qwen/Q' })
    expect(deployed).toEqual([])
    expect(useModelsStore().models).toEqual([])
    expect(fake.api.modelDetail).not.toHaveBeenCalled()
    // The server took the model away again: trying again sends the whole deploy.
    expect(await d.submit('deploy')).not.toBeNull()
    expect(d.serverError.value).toBeNull()
    expect(fake.api.deployModel).toHaveBeenCalledTimes(2)
    expect(fake.api.addModel).not.toHaveBeenCalled()
    expect(fake.api.startModel).not.toHaveBeenCalled()
    expect(deployed).toHaveLength(1)
  })

  it('says when a deployed model could not be read back, naming it', async () => {
    fake.api.modelDetail.mockRejectedValue(new ApiError('network_error', 'down'))
    const deployed: Model[] = []
    const d = useDeploy({ onDeployed: (m) => deployed.push(m) })
    Object.assign(d.form, { name: 'Q', model: '/q.gguf' })
    expect(await d.submit('deploy')).toBeNull()
    expect(d.deployedUnread.value).toEqual({ id: 'm9', name: 'Q' })
    expect(d.serverError.value?.code).toBe('network_error')
    expect(deployed).toEqual([])
    // The instance is known all the same.
    expect(useModelsStore().latestInstance('m9')?.state.kind).toBe('pending')
    // A new submission clears it.
    d.form.name = ''
    await d.submit('deploy')
    expect(d.deployedUnread.value).toBeNull()
    expect(d.serverError.value).toBeNull()
  })

  it('adds without starting; every Add sends the form', async () => {
    const d = useDeploy()
    Object.assign(d.form, { name: 'A', model: '/a.gguf' })
    expect((await d.submit('add'))?.name).toBe('A')
    expect(d.success.value?.name).toBe('A')
    expect(useModelsStore().models.map((m) => m.name)).toEqual(['A'])
    expect(fake.api.startModel).not.toHaveBeenCalled()
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    d.form.model = '/b.gguf'
    await d.submit('add')
    expect(fake.api.addModel).toHaveBeenCalledTimes(2)
  })

  it('keeps the form and shows the server error when adding fails', async () => {
    fake.api.addModel.mockRejectedValue(new ApiError('model_path_duplicate', 'The model "A" already uses /m.gguf.'))
    const d = useDeploy()
    Object.assign(d.form, { name: 'A', model: '/m.gguf' })
    expect(await d.submit('add')).toBeNull()
    expect(d.serverError.value).toMatchObject({ code: 'model_path_duplicate' })
    expect(d.success.value).toBeNull()
    expect(d.form.name).toBe('A')
  })
})

describe('useDeploy: confirming code-running settings', () => {
  it('asks before adding a custom command; no sends nothing, yes sends it', async () => {
    const d = useDeploy()
    Object.assign(d.form, { engine: 'custom', name: 'Mine', command: '/usr/bin/srv\n--port\n{port}' })
    expect(await d.submit('add')).toBeNull()
    expect(d.confirmation.value).toEqual({
      risks: [{ kind: 'command', program: '/usr/bin/srv', args: ['--port', '{port}'] }],
      action: { kind: 'submit', mode: 'add' },
    })
    expect(fake.api.addModel).not.toHaveBeenCalled()
    d.cancelConfirmation()
    expect(d.confirmation.value).toBeNull()
    expect(fake.api.addModel).not.toHaveBeenCalled()
    await d.submit('add')
    expect(d.confirmation.value).not.toBeNull()
    expect((await d.confirm())?.id).toBe('m9')
    expect(d.confirmation.value).toBeNull()
    expect(fake.api.addModel).toHaveBeenCalledTimes(1)
    expect(fake.api.deployModel).not.toHaveBeenCalled()
  })

  it('validates first, asks once for the same settings, and again when they change', async () => {
    const d = useDeploy()
    Object.assign(d.form, { engine: 'vllm_docker', model: 'org/m', trustRemoteCode: true, hfCache: '/data/hf' })
    expect(await d.submit('deploy')).toBeNull()
    expect(d.errors.value.name).toBeDefined()
    expect(d.confirmation.value).toBeNull()
    d.form.name = 'M'
    await d.submit('deploy')
    expect(d.confirmation.value?.risks.map((r) => r.kind)).toEqual(['trust_remote_code', 'mount'])
    expect(d.confirmation.value?.action).toEqual({ kind: 'submit', mode: 'deploy' })
    await d.confirm()
    expect(fake.api.deployModel).toHaveBeenCalledTimes(1)
    expect(fake.api.deployModel.mock.calls[0][0]).toMatchObject({ name: 'M', settings: { trust_remote_code: true, hf_cache: '/data/hf' } })
    // The same settings again: no second question.
    d.form.name = 'M2'
    expect(await d.submit('add')).not.toBeNull()
    expect(d.confirmation.value).toBeNull()
    // Another folder is another question, naming all that runs or is mounted.
    d.form.hfCache = '/home/me'
    expect(await d.submit('add')).toBeNull()
    expect(d.confirmation.value?.risks).toEqual([
      { kind: 'trust_remote_code', model: 'org/m' },
      { kind: 'mount', path: '/home/me' },
    ])
  })

  it('asks before applying a preset that trusts remote code; no keeps the form and the previous preset', async () => {
    const risky = { ...PRESETS[1], id: 'risky', name: 'Risky', settings: { engine: 'vllm' as const, trust_remote_code: true } }
    fake.api.deployPresets.mockResolvedValue([...PRESETS, risky])
    const d = useDeploy()
    await d.load()
    d.selectPreset('qwen-vllm')
    expect(d.confirmation.value).toBeNull()
    expect(d.form.name).toBe('Qwen qwen-vllm')
    d.selectPreset('risky')
    expect(d.confirmation.value).toEqual({
      risks: [{ kind: 'trust_remote_code', model: 'org/qwen-vllm' }],
      action: { kind: 'preset', presetId: 'risky', presetName: 'Risky', previousId: 'qwen-vllm' },
    })
    // The picker shows the preset being asked about, the form is not filled yet.
    expect(d.form.presetId).toBe('risky')
    expect(d.form.trustRemoteCode).toBe(false)
    d.cancelConfirmation()
    expect(d.form.presetId).toBe('qwen-vllm')
    expect(d.form.name).toBe('Qwen qwen-vllm')
    d.selectPreset('risky')
    expect(await d.confirm()).toBeNull()
    expect(d.form).toMatchObject({ presetId: 'risky', name: 'Risky', trustRemoteCode: true })
    // Deploying what the preset set, already confirmed, asks nothing more.
    expect(await d.submit('add')).not.toBeNull()
    expect(d.confirmation.value).toBeNull()
  })
  it('starts from a prefill (the model hub’s Deploy) and deploys that file with llama.cpp and the suggested settings', async () => {
    const d = useDeploy({ prefill: { path: '/cache/smol-q4_1.gguf', name: 'SmolLM2-135M-Instruct Q4_1', context_size: 4096, cache_type_k: 'q8_0', cache_type_v: 'q8_0' } })
    expect(d.prefilled.value?.path).toBe('/cache/smol-q4_1.gguf')
    expect(d.form).toMatchObject({ engine: 'llama_cpp', presetId: '', model: '/cache/smol-q4_1.gguf', name: 'SmolLM2-135M-Instruct Q4_1', context: '4096' })
    expect(d.form.llama).toMatchObject({ cache_type_k: 'q8_0', cache_type_v: 'q8_0', gpu_layers: '' })
    await d.load()
    // Loading the engines and presets keeps what was handed over.
    expect(d.form.model).toBe('/cache/smol-q4_1.gguf')
    await d.submit('deploy')
    expect(fake.api.deployModel).toHaveBeenCalledWith({
      name: 'SmolLM2-135M-Instruct Q4_1', path: '/cache/smol-q4_1.gguf', engine: 'llama_cpp', context_size: 4096,
      settings: { engine: 'llama_cpp', cache_type_k: 'q8_0', cache_type_v: 'q8_0' },
    })
    // Another file handed over later replaces the form's file, name and settings.
    d.fill({ path: '/cache/other.gguf', gpu_layers: 12 })
    expect(d.form).toMatchObject({ model: '/cache/other.gguf', name: '', context: '' })
    expect(d.form.llama).toMatchObject({ gpu_layers: '12', cache_type_k: '' })
  })
})
