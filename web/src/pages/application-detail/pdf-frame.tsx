/**
 * The application's PDF in the page: fetched with the bearer token (an
 * <iframe src> could not send it) into a blob URL, which the router's
 * Content-Security-Policy allows as a frame (`frame-src 'self' blob:`).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';

export function PdfFrame(props: {
  id: string;
  sha256: string;
  pages: number | null;
  title: string;
}) {
  const pdf = useQuery({
    // The hash names the bytes: a new render is a new query, the same one is never fetched twice.
    queryKey: ['application-pdf', props.id, props.sha256],
    queryFn: () =>
      call(
        api.GET('/v1/applications/{id}/resume.pdf', {
          params: { path: { id: props.id } },
          parseAs: 'blob',
        }),
      ) as Promise<Blob>,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!pdf.data) return;
    const objectUrl = URL.createObjectURL(
      pdf.data.type === 'application/pdf'
        ? pdf.data
        : new Blob([pdf.data], { type: 'application/pdf' }),
    );
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [pdf.data]);
  if (pdf.isPending) return <Loading label="Loading the PDF" />;
  if (pdf.error) return <ErrorNotice error={pdf.error} title="Could not load the PDF" />;
  if (!url) return <Loading label="Opening the PDF" />;
  const size = `${Math.max(1, Math.round(pdf.data.size / 1024))} KB`;
  return (
    <>
      <p class="muted">
        {props.pages === null ? '' : `${props.pages} ${props.pages === 1 ? 'page' : 'pages'}, `}
        {size}.{' '}
        <a href={url} download={`resume-${props.id}.pdf`}>
          Download the PDF
        </a>
      </p>
      <iframe class="pdf" src={url} title={props.title} />
    </>
  );
}
