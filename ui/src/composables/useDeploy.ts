import { computed, reactive, ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { DeployPreset } from '../generated/DeployPreset'
import type { EngineInfo } from '../generated/EngineInfo'
import type { EngineKind } from '../generated/EngineKind'
import type { Model } from '../generated/Model'
import type { SettingsForm } from '../lib/modelSettings'
import { useModelsStore } from '../stores/models'
import { applyPreset, buildDeploy, emptyDeployForm, presetModelValue, type DeployForm, type FieldErrors } from '../lib/deploy/deployForm'
import { applyPrefill, type DeployPrefill } from '../lib/deploy/deployPrefill'
import { deployRisks, riskKey, type DeployRisk } from '../lib/deploy/deployRisks'

/** What the Deploy form is doing: idle, adding the model, or deploying it (adding and starting, in one call). */
export type DeployPhase = 'idle' | 'adding' | 'deploying'

/**
 * Settings that run code or mount files, waiting for the user's explicit yes: before the form is
 * submitted, or before a preset that sets them fills the form.
 */
export interface PendingConfirmation {
  risks: DeployRisk[]
  action: { kind: 'submit'; mode: 'add' | 'deploy' } | { kind: 'preset'; presetId: string; presetName: string; previousId: string }
}

export interface PresetGroup {
  family: string
  presets: DeployPreset[]
}

/** The presets of one engine, grouped by family in the order they first appear. */
export function groupPresets(presets: readonly DeployPreset[], engine: EngineKind): PresetGroup[] {
  const groups: PresetGroup[] = []
  for (const p of presets) {
    if (p.engine !== engine) continue
    let group = groups.find((g) => g.family === p.family)
    if (!group) groups.push((group = { family: p.family, presets: [] }))
    group.presets.push(p)
  }
  return groups
}

/** A model the server deployed, but whose details could not be read back afterwards. */
export interface DeployedUnread {
  id: string
  name: string
}

export interface DeployOptions {
  /** Called with the model once it was deployed (added and started; the page opens its detail page). */
  onDeployed?: (model: Model) => void
  /** The folder a llama.cpp preset's GGUF file is expected in. */
  modelsDir?: () => string | null | undefined
  /** A file to deploy with llama.cpp, handed over by another page (the model hub's "Deploy"): the form starts with it. */
  prefill?: DeployPrefill | null
}

/**
 * The Deploy page's state: the engines and presets from the server, the form, its validation
 * and the add / deploy actions. Deploy is one server operation (add and start): when the start
 * is refused, the server has already taken the model away again, so a retry starts afresh.
 */
export function useDeploy(options: DeployOptions = {}) {
  const models = useModelsStore()
  const form = reactive(emptyDeployForm())
  if (options.prefill) applyPrefill(form, options.prefill)
  /** The prefill the form was last filled from (the page says where the values came from). */
  const prefilled = ref<DeployPrefill | null>(options.prefill ?? null)
  const engines = ref<EngineInfo[]>([])
  const presets = ref<DeployPreset[]>([])
  /** The presets have come from the server (an empty list then means none, not "not yet"). */
  const presetsLoaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const errors = ref<FieldErrors>({})
  const llamaField = ref<keyof SettingsForm | null>(null)
  const phase = ref<DeployPhase>('idle')
  const serverError = ref<ApiError | null>(null)
  /** The model the last Add added. */
  const success = ref<Model | null>(null)
  /** Deployed, but reading the model back failed (`serverError` says why): the page links to it. */
  const deployedUnread = ref<DeployedUnread | null>(null)
  /** What waits for the user's yes (a dialog shows it), or null. */
  const confirmation = ref<PendingConfirmation | null>(null)
  /** The risks the user said yes to: the same command, repository, image or folder is not asked about again. */
  const accepted = new Set<string>()
  const unaccepted = (risks: DeployRisk[]) => risks.filter((r) => !accepted.has(riskKey(r)))

  const engineInfo = computed(() => engines.value.find((e) => e.engine === form.engine) ?? null)
  /**
   * Why the chosen engine cannot run on this machine (its binary is missing, its daemon down), or
   * null. Deploying would add a model that can never start: only Add stays on.
   */
  const deployBlocked = computed(() => engineInfo.value?.problem ?? null)
  const presetGroups = computed(() => groupPresets(presets.value, form.engine))
  const selectedPreset = computed(() => presets.value.find((p) => p.id === form.presetId) ?? null)
  const busy = computed(() => phase.value !== 'idle')

  async function load(): Promise<void> {
    loading.value = true
    loadError.value = null
    const api = getApi()
    // Each list is useful alone: a failure of one keeps the other.
    const [e, p] = await Promise.allSettled([api.enginesInfo(), api.deployPresets()])
    if (e.status === 'fulfilled') engines.value = e.value
    if (p.status === 'fulfilled') {
      presets.value = p.value
      presetsLoaded.value = true
    }
    const failed = [e, p].find((r) => r.status === 'rejected')
    if (failed) loadError.value = toApiError((failed as PromiseRejectedResult).reason)
    loading.value = false
  }

  /**
   * Switches the engine. A preset applied for the old engine follows to the same model's preset
   * for the new one; when there is none, the model it filled in (a file for llama.cpp, a
   * repository for vLLM) is cleared, since it would not fit.
   */
  function setEngine(engine: EngineKind): void {
    if (form.engine === engine) return
    const old = selectedPreset.value
    form.engine = engine
    clearFeedback()
    if (!old) return
    const twin = presets.value.find((p) => p.engine === engine && p.family === old.family && p.name === old.name)
    if (twin) return selectPreset(twin.id)
    if (form.model === presetModelValue(old, options.modelsDir?.())) form.model = ''
    form.presetId = ''
  }

  /**
   * Applies a preset. One that sets code-running settings (a command, trust_remote_code, another
   * image, a mount) waits for a yes first; meanwhile the picker shows it, and a no puts back the previous one.
   */
  function selectPreset(id: string): void {
    const preset = presets.value.find((p) => p.id === id)
    if (!preset) {
      form.presetId = ''
      clearFeedback()
      return
    }
    // Try it on a copy: the risks are those of the form it would give.
    const trial = JSON.parse(JSON.stringify(form)) as DeployForm
    applyPreset(trial, preset, options.modelsDir?.())
    const risks = deployRisks(trial)
    if (unaccepted(risks).length > 0) {
      confirmation.value = { risks, action: { kind: 'preset', presetId: preset.id, presetName: preset.name, previousId: form.presetId } }
      form.presetId = preset.id
      return
    }
    fillFromPreset(id)
  }

  function fillFromPreset(id: string): void {
    const preset = presets.value.find((p) => p.id === id)
    if (!preset) return
    applyPreset(form, preset, options.modelsDir?.())
    clearFeedback()
  }

  /** Fills the form from another page's prefill (llama.cpp, the file, a name, suggested settings). */
  function fill(prefill: DeployPrefill): void {
    applyPrefill(form, prefill)
    prefilled.value = prefill
    clearFeedback()
  }

  /** Forgets the field errors and the last submit's error: they were about another engine or preset. */
  function clearFeedback(): void {
    errors.value = {}
    llamaField.value = null
    serverError.value = null
    deployedUnread.value = null
  }

  /** Says yes to what the confirmation names, and does what waited for it. */
  async function confirm(): Promise<Model | null> {
    const pending = confirmation.value
    if (!pending) return null
    confirmation.value = null
    for (const r of pending.risks) accepted.add(riskKey(r))
    if (pending.action.kind === 'preset') {
      fillFromPreset(pending.action.presetId)
      return null
    }
    return submit(pending.action.mode)
  }

  /** Says no: nothing is sent, and a preset that waited is not applied. */
  function cancelConfirmation(): void {
    const pending = confirmation.value
    if (!pending) return
    confirmation.value = null
    if (pending.action.kind === 'preset') form.presetId = pending.action.previousId
  }

  /** The deployed model: the store's copy (a `models_changed` may have brought it), else the server's. */
  async function deployedModel(modelId: string): Promise<Model> {
    const held = models.models.find((m) => m.id === modelId)
    if (held) return held
    const { model } = await getApi().modelDetail(modelId)
    if (!models.models.some((m) => m.id === model.id)) models.models.push(model)
    return model
  }

  /** Validates, then adds the model (`add`) or deploys it (`deploy`). Resolves to the model, or null. */
  async function submit(mode: 'add' | 'deploy'): Promise<Model | null> {
    if (busy.value) return null
    // Enter in a field submits the form as Deploy: with the engine missing, that is refused here too.
    if (mode === 'deploy' && deployBlocked.value) return null
    serverError.value = null
    success.value = null
    deployedUnread.value = null
    const built = buildDeploy(form)
    if (!built.ok) {
      errors.value = built.errors
      llamaField.value = built.llamaField
      return null
    }
    errors.value = {}
    llamaField.value = null
    // What would run code or mount files needs a yes first (the same settings are not asked twice).
    const risks = deployRisks(form)
    if (unaccepted(risks).length > 0) {
      confirmation.value = { risks, action: { kind: 'submit', mode } }
      return null
    }
    try {
      if (mode === 'add') {
        phase.value = 'adding'
        const model = await getApi().addModel(built.model)
        if (!models.models.some((m) => m.id === model.id)) models.models.push(model)
        success.value = model
        return model
      }
      phase.value = 'deploying'
      const instance = await getApi().deployModel(built.model)
      models.upsertInstance(instance)
      let model: Model
      try {
        model = await deployedModel(instance.model_id)
      } catch (err) {
        deployedUnread.value = { id: instance.model_id, name: instance.model_name }
        throw err
      }
      options.onDeployed?.(model)
      return model
    } catch (err) {
      serverError.value = toApiError(err)
      return null
    } finally {
      phase.value = 'idle'
    }
  }

  return {
    form,
    engines,
    presets,
    presetsLoaded,
    loading,
    loadError,
    errors,
    llamaField,
    phase,
    busy,
    serverError,
    success,
    deployedUnread,
    confirmation,
    engineInfo,
    deployBlocked,
    presetGroups,
    selectedPreset,
    prefilled,
    fill,
    load,
    setEngine,
    selectPreset,
    submit,
    confirm,
    cancelConfirmation,
  }
}
