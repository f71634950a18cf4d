// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { NewModel } from '../../generated/NewModel'
import { modelFrom } from '../../lib/deploy/deploy.fixtures'
import { useSystemStore } from '../../stores/system'
import { fake, installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import { cpuSnapshot, gpuSnapshot, gpuStats } from '../../testing/snapshots'
import AddModelForm from './AddModelForm.vue'

let pinia: Pinia

usePageTestSetup()
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  installFakeApi({ addModel: vi.fn(async (m: NewModel) => modelFrom(m)) })
})

async function mountForm() {
  const mounted = await mountApp({
    component: AddModelForm,
    pinia,
    routes: [
      { path: '/', component: stubPage },
      { path: '/deploy', name: 'deploy', component: stubPage },
    ],
  })
  const { q, type } = mounted
  await type(q<HTMLInputElement>('add-model-name'), 'Qwen')
  await type(q<HTMLInputElement>('add-model-path'), '/models/qwen.gguf')
  return mounted
}

describe('AddModelForm: GPUs', () => {
  it('sends the GPUs ticked from those the system lists', async () => {
    useSystemStore().apply(gpuSnapshot([gpuStats(0), gpuStats(1, { name: 'NVIDIA L4' })]))
    const { q, all, click, choose, options } = await mountForm()
    expect(options('model-gpus-mode')).toEqual(['all', 'auto', 'devices'])
    expect(q('model-gpus')!.textContent).toContain('Auto: the GPU(s) with room, chosen at each start.')
    expect(q('model-gpus-device-0')).toBeNull()
    await choose(q<HTMLSelectElement>('model-gpus-mode'), 'devices')
    expect(all('model-gpus-device-0')).toHaveLength(1)
    expect(q('model-gpus-device-1')!.closest('label')!.textContent).toContain('#1 NVIDIA L4')
    expect(q('model-gpus-devices-text')).toBeNull()
    expect(q('model-gpus-none')).toBeNull()
    await click(q('model-gpus-device-1'))
    await click(q('add-model-submit'))
    await vi.waitFor(() => expect(fake.api.addModel).toHaveBeenCalledTimes(1))
    expect(fake.api.addModel).toHaveBeenCalledWith({ name: 'Qwen', path: '/models/qwen.gguf', gpus: { mode: 'devices', devices: [1] } })
  })

  it('leaves "all" out of the request, the default', async () => {
    const { q, click } = await mountForm()
    await click(q('add-model-submit'))
    await vi.waitFor(() => expect(fake.api.addModel).toHaveBeenCalledWith({ name: 'Qwen', path: '/models/qwen.gguf' }))
  })

  it('without a GPU, says the model runs on the CPU and takes the GPUs typed', async () => {
    useSystemStore().apply(cpuSnapshot(1, 0))
    const { q, click, choose, type } = await mountForm()
    await choose(q<HTMLSelectElement>('model-gpus-mode'), 'devices')
    expect(q('model-gpus-none')!.textContent).toContain('No GPU detected: the model runs on the CPU.')
    await type(q<HTMLInputElement>('model-gpus-devices-text'), '2, 0')
    await click(q('add-model-submit'))
    await vi.waitFor(() => expect(fake.api.addModel).toHaveBeenCalledWith({ name: 'Qwen', path: '/models/qwen.gguf', gpus: { mode: 'devices', devices: [0, 2] } }))
  })

  it('asks for a GPU when none is chosen, and sends nothing', async () => {
    useSystemStore().apply(cpuSnapshot(1, 0))
    const { q, click, choose } = await mountForm()
    await choose(q<HTMLSelectElement>('model-gpus-mode'), 'devices')
    await click(q('add-model-submit'))
    await vi.waitFor(() => expect(q('add-model-error')?.textContent).toContain('Choose at least one GPU'))
    expect(q('model-gpus-devices-text')!.getAttribute('aria-invalid')).toBe('true')
    expect(fake.api.addModel).not.toHaveBeenCalled()
  })
})
