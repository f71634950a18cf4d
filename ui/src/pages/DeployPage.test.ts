// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import type { Caller } from '../generated/Caller'
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
import { ENGINES, instanceOf, modelFrom, PRESETS } from '../lib/deploy/deploy.fixtures'

/** Every engine ready to run (vLLM installed). */
const ENGINES_READY = ENGINES.map((e) => (e.engine === 'vllm' ? { ...e, binary: '/usr/bin/vllm', source: 'PATH', problem: null } : e))
import { setLocale } from '../composables/useI18n'
import { useAccessStore } from '../stores/access'
import DeployPage from './DeployPage.vue'

const cleanups: (() => void)[] = []

async function mountPage(caller: Caller | null = null, { awaitLoad = true, path = '/deploy' } = {}) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: stub },
      { path: '/deploy', name: 'deploy', component: DeployPage },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
  await router.push(path)
  const app = createApp({ render: () => h(RouterView) })
  const pinia = createPinia()
  useAccessStore(pinia).caller = caller
  app.use(pinia).use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  if (awaitLoad) await vi.waitFor(() => expect(host.querySelector('[data-testid="deploy-engine-status"]')?.getAttribute('data-state')).toBe('ok'))
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)!
  const all = (testid: string) => Array.from(host.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  const type = async (testid: string, value: string) => {
    const el = q<HTMLInputElement>(testid)
    el.value = value
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input'))
    await nextTick()
  }
  const engine = async (e: string) => {
    q<HTMLInputElement>(`deploy-engine-${e}`).click()
    await nextTick()
  }
  const click = async (testid: string) => {
    q(testid).click()
    await nextTick()
  }
  return { host, router, q, all, type, engine, click }
}

beforeEach(() => {
  setLocale('en')
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
  // jsdom has no layout, hence no scrollIntoView: a spy stands in.
  Element.prototype.scrollIntoView = vi.fn()
})

afterEach(() => {
  cleanups.splice(0).forEach((c) => c())
})

describe('DeployPage', () => {
  it('shows the chosen engine: its binary, or the problem with a warning, and how it was tested', async () => {
    const { q, engine } = await mountPage()
    expect(q('deploy-engine-status').textContent).toContain('/cache/llama-server (cache)')
    expect(q('deploy-engine-status').textContent).toContain('b4000')
    expect(q('deploy-engine-verified').dataset.verified).toBe('true')
    await engine('vllm')
    expect(q('deploy-engine').dataset.value).toBe('vllm')
    expect(q('deploy-engine-status').dataset.state).toBe('problem')
    expect(q('deploy-engine-problem').textContent).toContain('vllm was not found. Install vLLM')
    expect(q('deploy-engine-verified').textContent).toMatch(/Contract-tested only/)
  })

  it('turns Deploy off while the engine cannot run here, says why and how to get it, and checks again', async () => {
    const { q, type, engine, click } = await mountPage()
    expect(q('deploy-blocked')).toBeNull()
    expect(q<HTMLButtonElement>('deploy-submit').disabled).toBe(false)
    await engine('vllm')
    const submit = q<HTMLButtonElement>('deploy-submit')
    expect(submit.disabled).toBe(true)
    expect(submit.getAttribute('aria-describedby')).toBe('deploy-blocked')
    expect(q('deploy-blocked').dataset.code).toBe('engine_missing')
    expect(q('deploy-blocked-reason').textContent).toBe(
      'Deploy is off: vLLM cannot run on this machine yet. You can still add the model, and start it once the engine is ready.',
    )
    expect(q('deploy-blocked-how').textContent).toContain('pip install vllm')
    expect(q('deploy-blocked-how').textContent).toContain('LLMOPS_VLLM')
    // Adding stays possible, and Enter in a field (a submit) deploys nothing.
    expect(q<HTMLButtonElement>('deploy-add').disabled).toBe(false)
    await type('deploy-name', 'Qwen')
    await type('deploy-model', 'Qwen/Qwen2.5-7B-Instruct')
    q<HTMLFormElement>('deploy-form').dispatchEvent(new Event('submit', { cancelable: true }))
    await nextTick()
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    await click('deploy-add')
    await vi.waitFor(() => expect(fake.api.addModel).toHaveBeenCalledTimes(1))
    // Installed meanwhile: "Check again" asks the server anew and turns Deploy back on.
    fake.api.enginesInfo.mockResolvedValue(ENGINES_READY)
    await click('deploy-recheck')
    await vi.waitFor(() => expect(q('deploy-blocked')).toBeNull())
    expect(q<HTMLButtonElement>('deploy-submit').disabled).toBe(false)
  })

  it('tells how to fix each engine problem: the Docker daemon, a configured path that is wrong', async () => {
    fake.api.enginesInfo.mockResolvedValue(
      ENGINES.map((e) =>
        e.engine === 'vllm_docker'
          ? { ...e, problem: { code: 'engine_daemon_unreachable', message: 'Docker is installed, but its daemon does not answer.' } }
          : e.engine === 'llama_cpp'
            ? {
                ...e,
                binary: null,
                problem: {
                  code: 'engine_binary_missing',
                  message: 'The configured llama-server binary /x does not exist or is not executable; fix LLMOPS_LLAMA_SERVER',
                  params: { engine: 'llama-server', path: '/x', env_var: 'LLMOPS_LLAMA_SERVER' },
                },
              }
            : e,
      ),
    )
    const { q, engine } = await mountPage(null, { awaitLoad: false })
    await vi.waitFor(() => expect(q('deploy-engine-status').dataset.state).toBe('problem'))
    expect(q<HTMLButtonElement>('deploy-submit').disabled).toBe(true)
    await engine('vllm_docker')
    expect(q('deploy-blocked-how').textContent).toContain('Start the Docker daemon')
    expect(q<HTMLButtonElement>('deploy-submit').disabled).toBe(true)
    await engine('llama_cpp')
    expect(q('deploy-blocked-how').textContent).toContain('The path set in LLMOPS_LLAMA_SERVER is not a program')
    setLocale('zh')
    await nextTick()
    expect(q('deploy-blocked-reason').textContent).toContain('无法部署：llama.cpp 目前无法在本机运行')
    // The engine's problem itself, in the UI's language with its values.
    expect(q('deploy-engine-problem').textContent).toContain('配置的 llama-server 程序 /x 不存在或不可执行；请修正 LLMOPS_LLAMA_SERVER。')
  })

  it('changes the model field and the engine fields with the engine', async () => {
    const { q, all, engine } = await mountPage()
    expect(q<HTMLInputElement>('deploy-model').placeholder).toBe('/home/me/models/model.gguf')
    expect(q('add-model-advanced')).not.toBeNull()
    expect(q('setting-extra_args')).toBeNull()
    await engine('vllm')
    expect(q<HTMLInputElement>('deploy-model').placeholder).toBe('Qwen/Qwen2.5-7B-Instruct')
    expect(q('deploy-gpu-mem')).not.toBeNull()
    expect(q('deploy-image')).toBeNull()
    await engine('vllm_docker')
    expect(q<HTMLInputElement>('deploy-image').placeholder).toBe('vllm/vllm-openai:latest')
    expect(q<HTMLInputElement>('deploy-gpus').placeholder).toBe('all')
    expect(q<HTMLInputElement>('deploy-hf-cache').placeholder).toBe('~/.cache/huggingface')
    await engine('custom')
    expect(q('deploy-command')).not.toBeNull()
    expect(q<HTMLInputElement>('deploy-health-path').value).toBe('/health')
    expect(all('deploy-served-name')).toHaveLength(1)
  })

  it('offers the presets of the engine, grouped by family, and fills the form from one', async () => {
    const { q, type, engine } = await mountPage()
    const select = q<HTMLSelectElement>('deploy-preset')
    expect(Array.from(select.querySelectorAll('optgroup')).map((g) => g.label)).toEqual(['Qwen'])
    await type('deploy-preset', 'qwen-gguf')
    expect(q<HTMLInputElement>('deploy-name').value).toBe('Qwen qwen-gguf')
    expect(q<HTMLInputElement>('setting-gpu_layers').value).toBe('-1')
    expect(q('deploy-preset-notes').textContent).toBe('notes qwen-gguf')
    const link = q<HTMLAnchorElement>('deploy-preset-source')
    expect(link.href).toBe('https://hf.co/qwen-gguf')
    expect(link.target).toBe('_blank')
    expect(link.rel).toContain('noopener')
    await engine('vllm')
    expect(Array.from(q<HTMLSelectElement>('deploy-preset').querySelectorAll('optgroup')).map((g) => g.label)).toEqual(['Qwen', 'Llama 3'])
    expect(q('deploy-preset-info')).toBeNull()
    await engine('custom')
    expect(q<HTMLSelectElement>('deploy-preset').disabled).toBe(true)
  })

  it('previews a custom command with port 8080', async () => {
    const { q, type, engine } = await mountPage()
    await engine('custom')
    await type('deploy-name', 'mine')
    await type('deploy-model', '/models/my model')
    await type('deploy-command', 'python3\n-m\nsrv\n--port\n{port}\n--model\n{model}\n--alias={name}')
    expect(q('deploy-command-preview').textContent).toBe("python3 -m srv --port 8080 --model '/models/my model' --alias=mine")
  })

  it('shows errors next to the fields and sends nothing', async () => {
    const { q, all, type, click } = await mountPage()
    await type('deploy-model', 'model.gguf')
    await type('deploy-restart', 'on_failure')
    await type('deploy-retries', '50')
    await type('setting-threads', '0')
    await click('deploy-submit')
    const fields = all('deploy-field-error').map((e) => e.dataset.field)
    expect(fields.sort()).toEqual(['llama', 'model', 'name', 'retries'])
    expect(all('deploy-field-error').find((e) => e.dataset.field === 'llama')?.textContent).toBe('Threads must be a whole number from 1 to 1024.')
    expect(q('deploy-name').getAttribute('aria-invalid')).toBe('true')
    expect(q('deploy-fix-errors')).not.toBeNull()
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    expect(fake.api.addModel).not.toHaveBeenCalled()
    setLocale('zh')
    await nextTick()
    expect(all('deploy-field-error').find((e) => e.dataset.field === 'name')?.textContent).toBe('请为模型命名。')
  })

  it('takes the user to the first highlighted field when the form is invalid', async () => {
    const { q, type, click } = await mountPage()
    await type('deploy-name', 'A')
    await type('deploy-model', 'model.gguf')
    await click('deploy-submit')
    await vi.waitFor(() => expect(document.activeElement).toBe(q('deploy-model')))
    expect(Element.prototype.scrollIntoView).toHaveBeenCalledTimes(1)
    expect(vi.mocked(Element.prototype.scrollIntoView).mock.contexts[0]).toBe(q('deploy-model'))
    // Add validates the same way and goes to the first invalid field too.
    await type('deploy-name', '')
    q('deploy-add').focus()
    await click('deploy-add')
    await vi.waitFor(() => expect(document.activeElement).toBe(q('deploy-name')))
  })

  it('clears the field errors and the server error when the engine or the preset changes', async () => {
    fake.api.addModel.mockRejectedValue(new ApiError('model_path_duplicate', 'The model "B" already uses /models/a.gguf.'))
    fake.api.enginesInfo.mockResolvedValue(ENGINES_READY)
    const { q, all, type, engine, click } = await mountPage()
    const failAdd = async () => {
      await type('deploy-name', 'A')
      await type('deploy-model', '/models/a.gguf')
      await click('deploy-add')
      await vi.waitFor(() => expect(q('deploy-error')).not.toBeNull())
    }
    await failAdd()
    await type('deploy-preset', 'qwen-gguf')
    expect(q('deploy-error')).toBeNull()
    await failAdd()
    await engine('vllm')
    expect(q('deploy-error')).toBeNull()
    await type('deploy-name', '')
    await click('deploy-submit')
    expect(all('deploy-field-error').map((e) => e.dataset.field)).toEqual(['name'])
    await type('deploy-preset', 'qwen-vllm')
    expect(all('deploy-field-error')).toHaveLength(0)
    expect(q('deploy-fix-errors')).toBeNull()
    await type('deploy-name', '')
    await click('deploy-submit')
    expect(q('deploy-fix-errors')).not.toBeNull()
    await type('deploy-preset', '')
    expect(q('deploy-fix-errors')).toBeNull()
  })

  it('says the presets are loading rather than that there are none', async () => {
    let release!: () => void
    fake.api.deployPresets.mockImplementation(() => new Promise((r) => (release = () => r(PRESETS))))
    const { q, engine } = await mountPage(null, { awaitLoad: false })
    await vi.waitFor(() => expect(q('deploy-engine-status').dataset.state).toBe('loading'))
    await engine('custom')
    const firstOption = () => q<HTMLSelectElement>('deploy-preset').options[0].textContent
    expect(firstOption()).toBe('Loading…')
    release()
    await vi.waitFor(() => expect(firstOption()).toBe('No presets for this engine.'))
    await engine('vllm')
    expect(firstOption()).toBe('None: fill in the form yourself')
  })

  it('deploys in one call and opens the model page', async () => {
    fake.api.enginesInfo.mockResolvedValue(ENGINES_READY)
    const { q, router, type, engine, click } = await mountPage()
    await engine('vllm')
    await type('deploy-name', 'Qwen')
    await type('deploy-model', 'Qwen/Qwen2.5-7B-Instruct')
    await type('deploy-gpu-mem', '0.8')
    await type('deploy-dtype', 'bfloat16')
    await click('deploy-trust-remote-code')
    await click('deploy-submit')
    // trust_remote_code runs the repository's code: named, then confirmed.
    expect(q('deploy-confirm').textContent).toContain('trust_remote_code runs Python code from the model repository Qwen/Qwen2.5-7B-Instruct.')
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    await click('deploy-confirm-yes')
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/models/m9'))
    expect(fake.api.deployModel).toHaveBeenCalledTimes(1)
    expect(fake.api.deployModel).toHaveBeenCalledWith({
      name: 'Qwen', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm',
      settings: { engine: 'vllm', trust_remote_code: true, gpu_memory_utilization: 0.8, dtype: 'bfloat16' },
    })
    expect(fake.api.addModel).not.toHaveBeenCalled()
    expect(fake.api.startModel).not.toHaveBeenCalled()
  })

  it('shows progress, then the server error, keeping the form', async () => {
    let reject!: (e: unknown) => void
    fake.api.addModel.mockImplementation(() => new Promise((_, r) => (reject = r)))
    const { q, router, type, click } = await mountPage()
    await type('deploy-name', 'A')
    await type('deploy-model', '/models/a.gguf')
    await click('deploy-add')
    expect(q('deploy-progress').dataset.phase).toBe('adding')
    expect(q<HTMLButtonElement>('deploy-submit').disabled).toBe(true)
    reject(new ApiError('model_path_duplicate', 'The model "B" already uses /models/a.gguf.'))
    await vi.waitFor(() => expect(q('deploy-error')?.textContent).toContain('already uses /models/a.gguf'))
    expect(q('deploy-error').dataset.code).toBe('model_path_duplicate')
    expect(q<HTMLInputElement>('deploy-name').value).toBe('A')
    expect(q('deploy-progress')).toBeNull()
    expect(router.currentRoute.value.fullPath).toBe('/deploy')
    expect(fake.api.deployModel).not.toHaveBeenCalled()
  })

  it('shows Deploy in progress as one step, then the refusal, keeping the form', async () => {
    let reject!: (e: unknown) => void
    fake.api.deployModel.mockImplementation(() => new Promise((_, r) => (reject = r)))
    const { q, router, type, click } = await mountPage()
    await type('deploy-name', 'A')
    await type('deploy-model', '/models/a.gguf')
    await click('deploy-submit')
    expect(q('deploy-progress').dataset.phase).toBe('deploying')
    expect(q('deploy-progress').textContent?.trim()).toBe('Adding and starting…')
    expect(q<HTMLButtonElement>('deploy-add').disabled).toBe(true)
    reject(new ApiError('model_file_missing', 'No file at /models/a.gguf.'))
    await vi.waitFor(() => expect(q('deploy-error')?.textContent?.trim()).toBe('No file at /models/a.gguf.'))
    expect(q('deploy-error').dataset.code).toBe('model_file_missing')
    // The server removed the model again: nothing to open.
    expect(q('deploy-open-model')).toBeNull()
    expect(q<HTMLInputElement>('deploy-name').value).toBe('A')
    expect(q('deploy-progress')).toBeNull()
    expect(router.currentRoute.value.fullPath).toBe('/deploy')
    expect(fake.api.addModel).not.toHaveBeenCalled()
    expect(fake.api.startModel).not.toHaveBeenCalled()
  })

  it('asks before running a custom command, naming the program and its arguments', async () => {
    const { q, all, host, router, type, engine, click } = await mountPage()
    await engine('custom')
    await type('deploy-name', 'mine')
    await type('deploy-model', '/models/my model')
    await type('deploy-command', '/usr/bin/x\n--port\n{port}\n--model\n{model}')
    await click('deploy-submit')
    const dialog = q('deploy-confirm')
    expect(dialog.getAttribute('role')).toBe('alertdialog')
    expect(all('deploy-risk').map((r) => r.textContent?.trim())).toEqual([
      "This runs the program /usr/bin/x with arguments --port {port} --model '/models/my model' as your user.",
    ])
    // No is the default answer.
    expect(document.activeElement).toBe(q('deploy-confirm-cancel'))
    await click('deploy-confirm-cancel')
    expect(q('deploy-confirm')).toBeNull()
    expect(fake.api.deployModel).not.toHaveBeenCalled()
    // Esc says no too.
    await click('deploy-submit')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }))
    await nextTick()
    expect(q('deploy-confirm')).toBeNull()
    await click('deploy-submit')
    await click('deploy-confirm-yes')
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/models/m9'))
    expect(fake.api.deployModel).toHaveBeenCalledTimes(1)
    expect(fake.api.deployModel.mock.calls[0][0].settings.command).toEqual(['/usr/bin/x', '--port', '{port}', '--model', '{model}'])
    expect(host.querySelector('svg')).toBeNull()
  })

  it('names another Docker image and a mounted folder, in both languages', async () => {
    const { q, all, type, engine, click } = await mountPage()
    await engine('vllm_docker')
    await type('deploy-name', 'D')
    await type('deploy-model', 'org/m')
    await type('deploy-image', 'me/vllm:dev')
    await type('deploy-hf-cache', '/data/hf')
    await click('deploy-add')
    expect(all('deploy-risk').map((r) => [r.dataset.kind, r.textContent?.trim()])).toEqual([
      ['image', 'This runs the Docker image me/vllm:dev instead of the default vllm/vllm-openai:latest.'],
      ['mount', 'This mounts /data/hf read-write into a container.'],
    ])
    setLocale('zh')
    await nextTick()
    expect(all('deploy-risk')[1].textContent).toContain('这会把 /data/hf 以读写方式挂载到容器中。')
    await click('deploy-confirm-yes')
    await vi.waitFor(() => expect(q('deploy-success')).not.toBeNull())
    expect(fake.api.addModel.mock.calls[0][0].settings).toMatchObject({ image: 'me/vllm:dev', hf_cache: '/data/hf' })
  })

  it('asks before applying a preset that sets trust_remote_code', async () => {
    fake.api.deployPresets = vi.fn(async () => [
      ...PRESETS,
      { ...PRESETS[1], id: 'risky', name: 'Risky 7B', settings: { engine: 'vllm' as const, trust_remote_code: true } },
    ])
    const { q, all, type, engine, click } = await mountPage()
    await engine('vllm')
    await type('deploy-preset', 'risky')
    expect(q('deploy-confirm').dataset.action).toBe('preset')
    expect(q('deploy-confirm').textContent).toContain('The preset “Risky 7B” sets:')
    expect(all('deploy-risk').map((r) => r.dataset.kind)).toEqual(['trust_remote_code'])
    expect(q('deploy-confirm-yes').textContent?.trim()).toBe('Apply the preset')
    await click('deploy-confirm-cancel')
    expect(q<HTMLSelectElement>('deploy-preset').value).toBe('')
    expect(q<HTMLInputElement>('deploy-name').value).toBe('')
    expect(q<HTMLInputElement>('deploy-trust-remote-code').checked).toBe(false)
    await type('deploy-preset', 'risky')
    await click('deploy-confirm-yes')
    expect(q<HTMLInputElement>('deploy-name').value).toBe('Risky 7B')
    expect(q<HTMLInputElement>('deploy-trust-remote-code').checked).toBe(true)
    // Already confirmed with the preset: Deploy goes straight on.
    await click('deploy-add')
    expect(q('deploy-confirm')).toBeNull()
    await vi.waitFor(() => expect(fake.api.addModel).toHaveBeenCalledTimes(1))
  })

  it('explains that adding needs the admin scope, and offers no button that would fail', async () => {
    const { q } = await mountPage({ scope: 'operate', via: 'session', key_id: 'k1', key_name: 'phone' })
    expect(q('deploy-needs-scope').textContent).toBe('Adding and deploying models needs the admin scope.')
    for (const id of ['deploy-add', 'deploy-submit']) {
      expect(q<HTMLButtonElement>(id).disabled).toBe(true)
      expect(q(id).title).toBe('Needs the admin scope')
    }
  })

  it('explains that secret environment entries are kept apart and shown masked', async () => {
    const { q, engine } = await mountPage()
    await engine('vllm_docker')
    expect(q('deploy-env-hint').textContent).toContain('HF_TOKEN=••••••••')
    expect(q('deploy-env-hint').textContent).toContain('OS keyring')
  })

  it('says when a deployed model could not be read back, with a link to it, in both languages', async () => {
    fake.api.modelDetail.mockRejectedValue(new ApiError('internal', 'The database is busy.'))
    fake.api.enginesInfo.mockResolvedValue(ENGINES_READY)
    const { q, router, type, engine, click } = await mountPage()
    await engine('vllm')
    await type('deploy-name', 'Q')
    await type('deploy-model', 'Qwen/Q')
    await click('deploy-submit')
    await vi.waitFor(() => expect(q('deploy-error')?.textContent).toContain('“Q” was deployed, but could not be read back: The database is busy.'))
    expect(q<HTMLAnchorElement>('deploy-open-model').getAttribute('href')).toBe('/models/m9')
    expect(router.currentRoute.value.fullPath).toBe('/deploy')
    setLocale('zh')
    await nextTick()
    expect(q('deploy-error').textContent).toContain('“Q”已部署，但无法读取其信息：')
  })
  it('is filled in from the address the model hub opens it with', async () => {
    const query = new URLSearchParams({ path: '/cache/smol-q4_1.gguf', name: 'SmolLM2-135M-Instruct Q4_1', context_size: '4096', gpu_layers: '20', cache_type_k: 'q8_0', cache_type_v: 'bogus' })
    const { q, click } = await mountPage(null, { path: `/deploy?${query}` })
    expect(q('deploy-prefilled').textContent).toContain('/cache/smol-q4_1.gguf')
    expect(q('deploy-engine').dataset.value).toBe('llama_cpp')
    expect(q<HTMLInputElement>('deploy-model').value).toBe('/cache/smol-q4_1.gguf')
    expect(q<HTMLInputElement>('deploy-name').value).toBe('SmolLM2-135M-Instruct Q4_1')
    expect(q<HTMLInputElement>('deploy-context').value).toBe('4096')
    expect(q<HTMLInputElement>('setting-gpu_layers').value).toBe('20')
    expect(q<HTMLSelectElement>('setting-cache_type_k').value).toBe('q8_0')
    // An unknown cache type is left out, not shown as an error.
    expect(q<HTMLSelectElement>('setting-cache_type_v').value).toBe('')
    await click('deploy-submit')
    await vi.waitFor(() => expect(fake.api.deployModel).toHaveBeenCalled())
    expect(fake.api.deployModel.mock.calls[0][0]).toEqual({
      name: 'SmolLM2-135M-Instruct Q4_1', path: '/cache/smol-q4_1.gguf', engine: 'llama_cpp', context_size: 4096,
      settings: { engine: 'llama_cpp', gpu_layers: 20, cache_type_k: 'q8_0' },
    })
  })

  it('starts empty without a file in the address', async () => {
    const { q } = await mountPage(null, { path: '/deploy?name=lonely' })
    expect(q('deploy-prefilled')).toBeNull()
    expect(q<HTMLInputElement>('deploy-name').value).toBe('')
  })
})
