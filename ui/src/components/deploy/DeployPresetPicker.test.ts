// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick, ref } from 'vue'
import { setLocale } from '../../composables/useI18n'
import type { DeployPreset } from '../../generated/DeployPreset'
import DeployPresetPicker from './DeployPresetPicker.vue'

afterEach(() => setLocale('en'))

describe('DeployPresetPicker', () => {
  it('shows the chosen preset’s notes in the UI’s language', async () => {
    const preset: DeployPreset = {
      id: 'llama-3.1-8b-instruct-vllm', family: 'Llama 3', name: 'Llama 3.1 8B Instruct', engine: 'vllm', model: 'meta-llama/Llama-3.1-8B-Instruct',
      source: null, context_size: 16384, settings: { engine: 'vllm', trust_remote_code: false }, notes: 'Gated (English from the server).', family_id: 'llama-3.1-8b-instruct',
    }
    const host = document.createElement('div')
    document.body.appendChild(host)
    const presetId = ref(preset.id)
    const app = createApp({
      render: () =>
        h(DeployPresetPicker, {
          groups: [{ family: preset.family, presets: [preset] }],
          selected: preset,
          loaded: true,
          loading: false,
          modelValue: presetId.value,
          'onUpdate:modelValue': (v: string) => (presetId.value = v),
        }),
    })
    app.mount(host)
    const notes = () => host.querySelector('[data-testid="deploy-preset-notes"]')!.textContent
    try {
      expect(notes()).toBe('Gated on Hugging Face: accept the licence and set HF_TOKEN. About 5 GB at Q4_K_M, 16 GB in bf16.')
      setLocale('zh')
      await nextTick()
      expect(notes()).toBe('在 Hugging Face 上需申请访问：请接受许可协议并设置 HF_TOKEN。Q4_K_M 量化约 5 GB，bf16 约 16 GB。')
    } finally {
      app.unmount()
      host.remove()
    }
  })
})
