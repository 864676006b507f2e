/** `/profile`: import a JSON Resume, see the stored one and its versions, or edit it in the form editor. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Draft } from '../../lib/draft.ts';
import { ImportPanel } from './import-panel.tsx';
import { ProfileEditor } from './profile-editor.tsx';
import { ProfileView } from './profile-view.tsx';

export default function ProfilePage() {
  const heading = useRef<HTMLHeadingElement>(null);
  const [editing, setEditing] = useState<Draft | undefined>();
  useEffect(() => heading.current?.focus(), []);
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Your profile
      </h1>
      {editing ? (
        <ProfileEditor initial={editing} onClose={() => setEditing(undefined)} />
      ) : (
        <>
          <ImportPanel onEdit={(document) => setEditing(structuredClone(document) as Draft)} />
          <ProfileView onEdit={(document) => setEditing(structuredClone(document) as Draft)} />
        </>
      )}
    </main>
  );
}
