// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import { useModelsStore } from '../../stores/models'
import { installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import { gpuStats } from '../../testing/snapshots'
import { gpuAssignment, qwenInstance } from '../models/model.fixtures'
import GpuItem from './GpuItem.vue'

let pinia: Pinia

usePageTestSetup()
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  installFakeApi()
})

/** A running instance of model `name`, placed on `devices` (null: all GPUs). */
function placed(name: string, devices: number[] | null, state: InstanceInfo['state'] = { kind: 'running' }): InstanceInfo {
  const reason = { code: 'placement_all', message: '' }
  return { ...qwenInstance(state), id: `i-${name}`, model_id: `m-${name}`, model_name: name, gpus: gpuAssignment(devices, reason) }
}

function mountGpu(index: number) {
  return mountApp({
    component: GpuItem,
    props: { gpu: gpuStats(index), driverVersion: null, cudaVersion: null },
    pinia,
    routes: [{ path: '/', component: stubPage }],
  })
}

describe('GpuItem: the models placed on it', () => {
  it('lists the live models given this GPU, and those given all GPUs, marked', async () => {
    useModelsStore().instances = [
      placed('Qwen', [1]),
      placed('Llama', [0]),
      placed('Mistral', null),
      placed('Phi', [0, 1], { kind: 'starting' }),
      placed('Gone', [1], { kind: 'stopped' }),
      { ...placed('Old', [1]), gpus: null },
    ]
    const { q, all } = await mountGpu(1)
    expect(all('gpu-placed-model').map((e) => e.textContent)).toEqual(['Qwen', 'Mistral', 'Phi'])
    expect(all('gpu-placed-model').map((e) => e.dataset.all ?? null)).toEqual([null, 'true', null])
    expect(q('gpu-placed')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('Models: Qwen, Mistral(all), Phi')
  })

  it('says nothing when no model runs on it', async () => {
    const store = useModelsStore()
    store.instances = [placed('Llama', [0])]
    const { q } = await mountGpu(1)
    expect(q('gpu-placed')).toBeNull()
    store.upsertInstance({ ...placed('Llama', [1]), updated_at: 2 })
    await nextTick()
    expect(q('gpu-placed')?.textContent).toContain('Llama')
  })
})

describe('GpuItem: driver-reported faults', () => {
  function mountWith(patch: Partial<ReturnType<typeof gpuStats>>) {
    return mountApp({
      component: GpuItem,
      props: { gpu: { ...gpuStats(0), ...patch }, driverVersion: null, cudaVersion: null },
      pinia,
      routes: [{ path: '/', component: stubPage }],
    })
  }

  it('warns of Xid errors with the count and the last code, also on a lost GPU', async () => {
    const { q } = await mountWith({ xid_errors_total: 2, last_xid: 79, lost: true })
    expect(q('gpu-xid')!.textContent).toContain('Xid errors since llmops started: 2 (last: Xid 79)')
    expect(q('gpu-lost')).not.toBeNull()
  })

  it('says nothing while none was seen, or where the driver gives no events', async () => {
    expect((await mountWith({ xid_errors_total: 0 })).q('gpu-xid')).toBeNull()
    expect((await mountWith({ xid_errors_total: null })).q('gpu-xid')).toBeNull()
  })
})
