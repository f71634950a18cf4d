import { computed, reactive, ref, type Ref } from 'vue'
import { type ApiError, toApiError } from '../api'
import type { Model } from '../generated/Model'
import type { ModelEdited } from '../generated/ModelEdited'
import type { NewModel } from '../generated/NewModel'
import { buildDeploy, deployFormFromModel, fieldOfServerError, type FieldErrors } from '../lib/deploy/deployForm'
import { deployRisks, riskKey, type DeployRisk } from '../lib/deploy/deployRisks'
import { buildSecretEnv, emptySecretEnvForm, type SecretEnvProblem, type SettingsForm } from '../lib/modelSettings'
import { isActive, useModelsStore } from '../stores/models'

/** A save that waits for the user's yes: the edit names code to run or a folder to mount that the model did not. */
export interface EditConfirmation {
  risks: DeployRisk[]
  action: { kind: 'edit' }
}

/**
 * The model edit form: the Deploy form's fields and checks, filled from the saved model, plus its
 * secret environment entries (names only), and the save. A model that runs keeps its previous
 * settings until its next start: the answer says so, and `restart` applies them now.
 */
export function useModelEdit(model: Ref<Model>) {
  const models = useModelsStore()
  const form = reactive(deployFormFromModel(model.value))
  const secrets = reactive(emptySecretEnvForm())
  /** The secret entry names the form started from (the saved model's). */
  const storedSecrets = ref<string[]>([...(model.value.secret_env ?? [])])
  const errors = ref<FieldErrors>({})
  const llamaField = ref<keyof SettingsForm | null>(null)
  const secretProblem = ref<SecretEnvProblem | null>(null)
  /** A refusal the fields do not explain (or the server unreachable). */
  const serverError = ref<ApiError | null>(null)
  const saving = ref(false)
  /** The last save's answer, until the next save. */
  const saved = ref<ModelEdited | null>(null)
  /** The instance that kept its previous settings when the edit was saved. */
  const keptInstanceId = ref<string | null>(null)
  const confirmation = ref<EditConfirmation | null>(null)
  /** What the saved model already runs or mounts needs no new yes; a change to it does. */
  const accepted = new Set<string>()

  const hasErrors = computed(() => Object.keys(errors.value).length > 0 || secretProblem.value !== null)
  const instance = computed(() => models.latestInstance(model.value.id))
  /**
   * The saved settings wait for the model's next start: the instance that was live at the save
   * still runs. Once it has stopped, or another instance started, they apply.
   */
  const waitsForRestart = computed(
    () => !!saved.value?.applies_at_next_start && !!instance.value && instance.value.id === keptInstanceId.value && isActive(instance.value),
  )
  const restarting = computed(() => {
    const pending = models.pending[model.value.id]
    return pending === 'stopping' || pending === 'starting'
  })

  /** Fills the form from `from` (the model as saved) and forgets the feedback. */
  function reset(from: Model = model.value): void {
    const filled = deployFormFromModel(from)
    // In place: the llama.cpp fields' component holds `form.llama` itself.
    Object.assign(form.llama, filled.llama)
    Object.assign(form, { ...filled, llama: form.llama })
    Object.assign(secrets, emptySecretEnvForm())
    storedSecrets.value = [...(from.secret_env ?? [])]
    errors.value = {}
    llamaField.value = null
    secretProblem.value = null
    serverError.value = null
    accepted.clear()
    for (const r of deployRisks(deployFormFromModel(from))) accepted.add(riskKey(r))
  }
  reset()

  /** The request the form stands for, or null with the problems shown by their fields. */
  function build(): NewModel | null {
    const built = buildDeploy(form)
    const secret = buildSecretEnv(storedSecrets.value, secrets)
    errors.value = built.ok ? {} : built.errors
    llamaField.value = built.ok ? null : built.llamaField
    secretProblem.value = secret.ok ? null : secret.problem
    if (!built.ok || !secret.ok) return null
    const request: NewModel = { ...built.model }
    if (secret.secretEnv) request.secret_env = secret.secretEnv
    return request
  }

  /** Validates and saves. Resolves to the answer, or null (invalid, waiting for a yes, or refused). */
  async function save(): Promise<ModelEdited | null> {
    if (saving.value) return null
    serverError.value = null
    saved.value = null
    const request = build()
    if (!request) return null
    const risks = deployRisks(form)
    if (risks.some((r) => !accepted.has(riskKey(r)))) {
      confirmation.value = { risks, action: { kind: 'edit' } }
      return null
    }
    return send(request)
  }

  async function send(request: NewModel): Promise<ModelEdited | null> {
    saving.value = true
    const id = model.value.id
    try {
      const edited = await models.update(id, request)
      keptInstanceId.value = edited.applies_at_next_start ? (models.latestInstance(id)?.id ?? null) : null
      reset(edited.model)
      saved.value = edited
      return edited
    } catch (err) {
      const apiError = toApiError(err)
      const field = fieldOfServerError(apiError.code)
      if (field) errors.value = { [field]: { key: 'edit.serverRefused', error: apiError } }
      else if (apiError.code === 'model_secret_env_invalid') secretProblem.value = { key: 'edit.serverRefused', error: apiError }
      else serverError.value = apiError
      return null
    } finally {
      saving.value = false
    }
  }

  /** Says yes to what the confirmation names, and saves. */
  async function confirm(): Promise<ModelEdited | null> {
    const pending = confirmation.value
    if (!pending) return null
    confirmation.value = null
    for (const r of pending.risks) accepted.add(riskKey(r))
    return save()
  }

  /** Says no: nothing is saved. */
  function cancelConfirmation(): void {
    confirmation.value = null
  }

  /** Stops the model and starts it again, so that the saved settings apply now. */
  function restart(): Promise<boolean> {
    return models.restart(model.value.id)
  }

  return {
    form,
    secrets,
    storedSecrets,
    errors,
    llamaField,
    secretProblem,
    hasErrors,
    serverError,
    saving,
    saved,
    waitsForRestart,
    restarting,
    confirmation,
    save,
    confirm,
    cancelConfirmation,
    reset,
    restart,
  }
}
