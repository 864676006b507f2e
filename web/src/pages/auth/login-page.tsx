/** `/login` (with `?next=` to return to the page the user was on). */
import { AuthForm } from './auth-form.tsx';

export default function LoginPage() {
  return <AuthForm mode="login" />;
}
