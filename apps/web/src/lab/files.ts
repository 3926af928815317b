/**
 * Lab files: saving downloads the lab as JSON, opening reads one back through the model's
 * validation (a file that does not have the lab's shape is refused, with the reasons).
 */
import { exportScript, validateLab, type Lab } from '@netns-lab/model';

export type OpenResult = { ok: true; lab: Lab } | { ok: false; messages: string[] };

/** Reads a lab file's text: the lab (possibly with findings to fix), or why it is not one. */
export function readLabFile(text: string): OpenResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      messages: [`This is not JSON: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const result = validateLab(data);
  if (result.lab !== null) return { ok: true, lab: result.lab };
  return {
    ok: false,
    messages: result.issues
      .slice(0, 12)
      .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)),
  };
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'lab'
  );
}

export function labFileName(lab: Lab): string {
  return `${slug(lab.name ?? 'lab')}.json`;
}

export function labJson(lab: Lab): string {
  return `${JSON.stringify(lab, null, 2)}\n`;
}

export function labScript(lab: Lab): string {
  return exportScript(lab);
}

/** Starts a download of `text` as a file (in the browser). */
export function download(fileName: string, text: string, type: string): void {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
