/** `/profile`: import a JSON Resume and see the stored one. */
import { useEffect, useRef } from 'preact/hooks';
import { ImportPanel } from './import-panel.tsx';
import { ProfileView } from './profile-view.tsx';

export default function ProfilePage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Your profile
      </h1>
      <ImportPanel />
      <ProfileView />
    </main>
  );
}
