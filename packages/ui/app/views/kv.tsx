import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, decodeValue, getJson, kvDelete, kvPath, kvPut } from '../api.js';
import { Empty, LiveState, Paged, count } from '../components.js';
import { useLive } from '../live.js';
import { Link, href, navigate } from '../router.js';
import type { KvEntry, Session } from '../types.js';

/** The folder a key or folder path sits in (`a/b/c` → `a/b/`, `a/b/` → `a/`, `a` → ``). */
export function parentOf(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const at = trimmed.lastIndexOf('/');
  return at === -1 ? '' : trimmed.slice(0, at + 1);
}

function Crumbs(props: { path: string }): JSX.Element {
  const parts = props.path.split('/');
  const links: JSX.Element[] = [
    <Link key="" href={href.kv('')}>
      Key/Value
    </Link>,
  ];
  let acc = '';
  for (let i = 0; i < parts.length - 1; i++) {
    acc += `${parts[i]}/`;
    links.push(
      <span key={`s${i}`}> / </span>,
      <Link key={acc} href={href.kv(acc)}>
        {parts[i]}
      </Link>,
    );
  }
  return <p class="crumbs">{links}</p>;
}

/**
 * A message carried to the next KV view shown: deletes leave the deleted key's page first (so its
 * live read does not end in a 404) and report there.
 */
let flash: { text: string; kind: 'warn' } | undefined;

function takeFlash(): typeof flash {
  const f = flash;
  flash = undefined;
  return f;
}

function Flash(): JSX.Element | null {
  const [f] = useState(takeFlash);
  return f ? (
    <p class={`notice ${f.kind}`} role="status" data-flash={f.kind}>
      {f.text}
    </p>
  ) : null;
}

/** A folder or key glyph drawn inline, so it needs no icon font. */
function Icon(props: { folder: boolean }): JSX.Element {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      {props.folder ? (
        <path d="M1 3.5h5l1.5 1.5H15v8.5H1z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round" />
      ) : (
        <>
          <circle cx="5" cy="8" r="3" fill="none" stroke="currentColor" stroke-width="1.3" />
          <path d="M8 8h7M12.5 8v2.5M14.5 8v2" fill="none" stroke="currentColor" stroke-width="1.3" />
        </>
      )}
    </svg>
  );
}

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err);
}

export function KvView(props: { path: string }): JSX.Element {
  const { path } = props;
  return path === '' || path.endsWith('/') ? <KvFolder prefix={path} key={`f:${path}`} /> : <KvKey name={path} key={`k:${path}`} />;
}

function KvFolder(props: { prefix: string }): JSX.Element {
  const { prefix } = props;
  const live = useLive<string[]>(`${kvPath(prefix)}?keys&separator=/`, []);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const title = prefix === '' ? 'Key/Value' : prefix.slice(0, -1).split('/').pop();
  const deleteFolder = (): void => {
    const parent = parentOf(prefix);
    // Leave the folder first, so that its own listing is not left watching a prefix that is gone.
    navigate(href.kv(parent));
    kvDelete(prefix, { recurse: true }).then(
      () => undefined,
      (err: unknown) => {
        flash = { kind: 'warn', text: `Deleting ${prefix} failed: ${errorText(err)}` };
        navigate(href.kv(prefix));
      },
    );
  };
  return (
    <section>
      {prefix !== '' && <Crumbs path={prefix} />}
      <h1>{title}</h1>
      <Flash />
      <LiveState live={live}>
        {(keys) => {
          const entries = keys.filter((k) => k !== prefix);
          return entries.length === 0 ? (
            <Empty>{prefix === '' ? 'The key/value store is empty. Create a key above.' : 'This folder is empty.'}</Empty>
          ) : (
            <Paged items={entries}>
              {(page) => (
                <table class="list" data-list="kv">
                  <thead>
                    <tr>
                      <th>{count(entries.length, 'entry', 'entries')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.map((k) => {
                      const folder = k.endsWith('/');
                      return (
                        <tr key={k} data-kv={k}>
                          <td>
                            <Link href={href.kv(k)} data-row class={folder ? 'folder' : 'key'}>
                              <Icon folder={folder} />
                              {k.slice(prefix.length)}
                            </Link>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </Paged>
          );
        }}
      </LiveState>
      <NewKeyForm prefix={prefix} onMessage={setMessage} />
      {message && (
        <p class="notice warn" role="status">
          {message}
        </p>
      )}
      {prefix !== '' && (
        <div class="danger-zone">
          {confirming ? (
            <>
              <span>Delete {prefix} and every key under it?</span>{' '}
              <button type="button" class="danger" data-action="confirm-delete-folder" onClick={deleteFolder}>
                Delete folder
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" class="danger" data-action="delete-folder" onClick={() => setConfirming(true)}>
              Delete folder…
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function NewKeyForm(props: { prefix: string; onMessage: (m: string | undefined) => void }): JSX.Element {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const folder = name.endsWith('/');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const key = props.prefix + name;
    if (name === '' || name.startsWith('/')) {
      props.onMessage('Give the key a name (end it with / to create a folder).');
      return;
    }
    setBusy(true);
    try {
      // cas=0 creates the key only if it does not exist yet.
      const created = await kvPut(key, folder ? '' : value, { cas: 0 });
      if (!created) {
        props.onMessage(`Not created: ${key} already exists.`);
        return;
      }
      props.onMessage(undefined);
      setName('');
      setValue('');
      navigate(href.kv(key));
    } catch (err) {
      props.onMessage(`Not created: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card new-key" onSubmit={(e) => void submit(e)} data-form="new-key">
      <label>
        New key or folder in <code>{props.prefix || '/'}</code>
        <input name="key" value={name} placeholder="name, or name/ for a folder" onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
      </label>
      {!folder && (
        <label>
          Value
          <textarea name="value" rows={3} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
        </label>
      )}
      <button type="submit" disabled={busy} data-action="create">
        {folder ? 'Create folder' : 'Create key'}
      </button>
    </form>
  );
}

function SessionHolder(props: { id: string }): JSX.Element {
  const live = useLive<Session[]>(`/v1/session/info/${encodeURIComponent(props.id)}`);
  const s = live.data?.[0];
  return (
    <span data-lock>
      locked by session <code>{props.id}</code>
      {s && (
        <>
          {s.Name ? ` (${s.Name})` : ''} on node <Link href={href.node(s.Node)}>{s.Node}</Link>
        </>
      )}
    </span>
  );
}

function prettyJson(text: string): string | undefined {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return undefined;
  }
}

interface Draft {
  text: string;
  flags: string;
  /** The ModifyIndex the edit started from: the save is refused if the key moved past it. */
  base: number;
}

function KvKey(props: { name: string }): JSX.Element {
  const { name } = props;
  const live = useLive<KvEntry[] | null>(kvPath(name), null);
  return (
    <section>
      <Crumbs path={name} />
      <h1>{name.split('/').pop()}</h1>
      <Flash />
      <LiveState live={live}>
        {(entries) => {
          const entry = entries?.[0];
          return entry ? (
            <KeyEditor entry={entry} />
          ) : (
            <Empty>
              There is no key {name}. <Link href={href.kv(parentOf(name))}>Back to its folder</Link>
            </Empty>
          );
        }}
      </LiveState>
    </section>
  );
}

function KeyEditor(props: { entry: KvEntry }): JSX.Element {
  const { entry } = props;
  const decoded = decodeValue(entry.Value);
  const [draft, setDraft] = useState<Draft | undefined>();
  const [notice, setNotice] = useState<{ kind: 'ok' | 'conflict' | 'error'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setConfirmDelete(false), [entry.ModifyIndex]);

  const text = draft?.text ?? decoded.text ?? '';
  const flags = draft?.flags ?? String(entry.Flags);
  const edit = (patch: Partial<Draft>): void => {
    setNotice(undefined);
    setDraft({ text, flags, base: draft?.base ?? entry.ModifyIndex, ...patch });
  };
  const pretty = prettyJson(text);
  const moved = draft !== undefined && entry.ModifyIndex !== draft.base;

  const save = async (base: number): Promise<void> => {
    const f = Number(flags);
    if (!/^\d+$/.test(flags) || !Number.isSafeInteger(f)) {
      setNotice({ kind: 'error', text: 'Flags must be an unsigned integer.' });
      return;
    }
    setBusy(true);
    try {
      const ok = await kvPut(entry.Key, text, { cas: base, flags: f });
      if (ok) {
        setDraft(undefined);
        setNotice({ kind: 'ok', text: 'Saved.' });
        return;
      }
      const now = await getJson<KvEntry[] | null>(kvPath(entry.Key), undefined, null);
      const current = now.data?.[0];
      setDraft({ text, flags, base });
      setNotice({
        kind: 'conflict',
        text: current
          ? `Not saved: someone changed this key after you started editing (your edit is based on index ${base}, the key is now at index ${current.ModifyIndex}). Your text is kept; review the current value, then overwrite it or discard your edit.`
          : 'Not saved: the key was deleted after you started editing. Your text is kept; overwrite to create it again.',
      });
    } catch (err) {
      setNotice({ kind: 'error', text: `Not saved: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    const key = entry.Key;
    // Leave first: the key's own live read would otherwise end in a 404.
    navigate(href.kv(parentOf(key)));
    try {
      // With cas, the delete is refused if the key changed since it was shown.
      const ok = await kvDelete(key, { cas: entry.ModifyIndex });
      if (ok) return;
      flash = { kind: 'warn', text: 'Not deleted: the key changed after it was shown. Look at its new value first.' };
    } catch (err) {
      flash = { kind: 'warn', text: `Not deleted: ${errorText(err)}` };
    }
    navigate(href.kv(key));
  };

  return (
    <>
      <dl class="facts card">
        <div>
          <dt>Modify index</dt>
          <dd data-modify-index>{entry.ModifyIndex}</dd>
        </div>
        <div>
          <dt>Create index</dt>
          <dd>{entry.CreateIndex}</dd>
        </div>
        <div>
          <dt>Lock</dt>
          <dd>{entry.Session ? <SessionHolder id={entry.Session} /> : <span class="muted">not locked (lock index {entry.LockIndex})</span>}</dd>
        </div>
      </dl>
      {moved && (
        <div class="notice warn" role="status">
          This key changed since you started editing (now at index {entry.ModifyIndex}). Its current value:
          <pre class="output" data-current-value>
            {decoded.text ?? `(binary, ${decoded.bytes} bytes)`}
          </pre>
        </div>
      )}
      {notice && (
        <p class={`notice ${notice.kind === 'ok' ? 'ok' : 'warn'}`} role={notice.kind === 'ok' ? 'status' : 'alert'} data-notice={notice.kind}>
          {notice.text}
        </p>
      )}
      {decoded.text === undefined && draft === undefined ? (
        <div class="card">
          <p>Binary value ({decoded.bytes} bytes), shown as base64; it cannot be edited here.</p>
          <pre class="output">{entry.Value}</pre>
        </div>
      ) : (
        <form
          class="card editor"
          data-form="edit-key"
          onSubmit={(e) => {
            e.preventDefault();
            void save(draft?.base ?? entry.ModifyIndex);
          }}
        >
          <label>
            Value
            <textarea name="value" rows={12} spellcheck={false} value={text} onInput={(e) => edit({ text: (e.target as HTMLTextAreaElement).value })} />
          </label>
          {pretty !== undefined && (
            <details open data-json>
              <summary>JSON</summary>
              <pre class="output">{pretty}</pre>
            </details>
          )}
          <label class="inline">
            Flags
            <input name="flags" inputMode="numeric" value={flags} onInput={(e) => edit({ flags: (e.target as HTMLInputElement).value })} />
          </label>
          <div class="actions">
            <button type="submit" disabled={busy || draft === undefined} data-action="save">
              Save
            </button>
            {pretty !== undefined && pretty !== text && (
              <button type="button" onClick={() => edit({ text: pretty })}>
                Format JSON
              </button>
            )}
            {draft !== undefined && (
              <button
                type="button"
                data-action="discard"
                onClick={() => {
                  setDraft(undefined);
                  setNotice(undefined);
                }}
              >
                Discard edit
              </button>
            )}
            {notice?.kind === 'conflict' && (
              <button type="button" class="danger" data-action="overwrite" onClick={() => void save(entry.ModifyIndex)}>
                Overwrite current value
              </button>
            )}
            <span class="spacer" />
            {confirmDelete ? (
              <>
                <button type="button" class="danger" data-action="confirm-delete" onClick={() => void remove()}>
                  Delete {entry.Key}
                </button>
                <button type="button" onClick={() => setConfirmDelete(false)}>
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" class="danger" data-action="delete" onClick={() => setConfirmDelete(true)}>
                Delete…
              </button>
            )}
          </div>
        </form>
      )}
    </>
  );
}
