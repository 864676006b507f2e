/** Catches a render error anywhere below it and shows it instead of a blank page. */
import { Component, type ComponentChildren } from 'preact';
import { ErrorNotice } from './error-notice.tsx';

export class ErrorBoundary extends Component<{ children: ComponentChildren }, { error?: unknown }> {
  override state: { error?: unknown } = {};

  override componentDidCatch(error: unknown) {
    this.setState({ error });
  }

  override render() {
    if (this.state.error !== undefined) {
      return (
        <main class="page">
          <ErrorNotice error={this.state.error} title="This page failed to show" />
          <button type="button" onClick={() => location.reload()}>
            Reload
          </button>
        </main>
      );
    }
    return this.props.children;
  }
}
