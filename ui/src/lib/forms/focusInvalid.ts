/**
 * Takes the user to the first invalid field of a form: opens any closed <details> around it,
 * scrolls it to the middle of the screen and focuses it. On a phone the field is often a screen
 * or more above the button that found the problem. Returns the field, or null when none is marked.
 */
export function focusFirstInvalid(root: ParentNode | null | undefined, selector = '[aria-invalid="true"]'): HTMLElement | null {
  const field = root?.querySelector<HTMLElement>(selector) ?? null
  if (!field) return null
  for (let d = field.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true
  field.scrollIntoView?.({ block: 'center', behavior: 'smooth' })
  field.focus({ preventScroll: true })
  return field
}

/** The Add-model field an API error is about, by its code (null: not one field's fault). */
export type AddModelField = 'name' | 'path' | 'context' | 'port' | 'restart' | 'gpus' | 'extra_args' | 'settings'

const ADD_MODEL_FIELDS: Record<string, AddModelField> = {
  model_name_empty: 'name',
  model_path_empty: 'path',
  model_path_not_absolute: 'path',
  model_path_duplicate: 'path',
  model_path_invalid: 'path',
  model_file_missing: 'path',
  model_file_not_gguf: 'path',
  model_context_size_invalid: 'context',
  model_port_invalid: 'port',
  port_in_use: 'port',
  model_restart_policy_invalid: 'restart',
  model_gpus_invalid: 'gpus',
  model_args_invalid: 'extra_args',
  model_settings_invalid: 'settings',
}

export function addModelErrorField(code: string | null | undefined): AddModelField | null {
  return (code && ADD_MODEL_FIELDS[code]) || null
}
