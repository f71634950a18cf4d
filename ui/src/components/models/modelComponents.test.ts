// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'
import { setLocale } from '../../composables/useI18n'
import type { Model } from '../../generated/Model'
import ModelSettingsList from './ModelSettingsList.vue'
import StateBadge from './StateBadge.vue'

const cleanups: (() => void)[] = []

function mount(component: Component, props: Record<string, unknown>) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(component, props) })
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  return host
}

function model(patch: Partial<Model>): Model {
  return {
    id: 'm1', name: 'Qwen', engine: 'llama_cpp', path: '/m.gguf', context_size: 4096, extra_args: [], restart_policy: { kind: 'never' },
    port: null, settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false, ...patch,
  }
}

const values = (host: HTMLElement) =>
  Object.fromEntries(Array.from(host.querySelectorAll<HTMLElement>('[data-testid="setting-value"]')).map((e) => [e.dataset.field, e.textContent?.trim()]))

beforeEach(() => setLocale('en'))
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('ModelSettingsList', () => {
  it('shows a vLLM-in-Docker model with readable labels and hidden environment values', () => {
    const host = mount(ModelSettingsList, {
      model: model({
        engine: 'vllm_docker', path: 'Qwen/Qwen2.5-7B-Instruct', context_size: 32768,
        settings: { engine: 'vllm_docker', env: ['HF_TOKEN=hf_secret'], trust_remote_code: true, gpu_memory_utilization: 0.9, gpus: 'all' },
      }),
    })
    expect(values(host)).toMatchObject({
      engine: 'vLLM in Docker', path: 'Qwen/Qwen2.5-7B-Instruct', context_size: '32768', gpus: 'all', env: 'HF_TOKEN=•••',
      gpu_memory_utilization: '0.9', trust_remote_code: 'Yes',
    })
    expect(host.textContent).toContain('Max model length')
    expect(host.textContent).toContain('GPU memory fraction')
    expect(host.textContent).not.toContain('hf_secret')
  })

  it('shows secret environment entries by name, masked', () => {
    const host = mount(ModelSettingsList, {
      model: model({
        engine: 'vllm_docker', path: 'meta-llama/Llama-3.1-8B-Instruct', secret_env: ['HF_TOKEN', 'WANDB_API_KEY'],
        settings: { engine: 'vllm_docker', env: ['VLLM_LOGGING_LEVEL=DEBUG'], trust_remote_code: false },
      }),
    })
    expect(values(host)).toMatchObject({ env: 'VLLM_LOGGING_LEVEL=•••', secret_env: 'HF_TOKEN=•••••••• WANDB_API_KEY=••••••••' })
    expect(host.textContent).toContain('Secret environment')
  })

  it('shows a custom command and says when llama.cpp has no settings', () => {
    const custom = mount(ModelSettingsList, {
      model: model({ engine: 'custom', path: '', settings: { engine: 'custom', command: ['srv', '--port', '{port}'], health_path: '/v1/models' } }),
    })
    expect(values(custom)).toMatchObject({ engine: 'Custom command', command: 'srv --port {port}', health_path: '/v1/models' })
    const llama = mount(ModelSettingsList, { model: model({}) })
    expect(llama.textContent).toContain('No engine settings')
  })
  it('shows the model’s GPU choice', () => {
    expect(values(mount(ModelSettingsList, { model: model({}) })).placement).toBe('All GPUs')
    expect(values(mount(ModelSettingsList, { model: model({ gpus: { mode: 'devices', devices: [1, 4] } }) })).placement).toBe('GPUs 1, 4')
  })
})

describe('StateBadge', () => {
  it('names the pending state in both languages', async () => {
    const host = mount(StateBadge, { state: { kind: 'pending' } })
    const badge = host.querySelector<HTMLElement>('[data-testid="instance-state"]')!
    expect(badge.dataset.state).toBe('pending')
    expect(badge.textContent?.trim()).toBe('Pending')
    setLocale('zh')
    await nextTick()
    expect(badge.textContent?.trim()).toBe('排队中')
  })
})
