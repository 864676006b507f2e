/** `/signup`. */
import { AuthForm } from './auth-form.tsx';

export default function SignupPage() {
  return <AuthForm mode="signup" />;
}
