-- Up Migration
-- The text-layer version the PDF service stamped on a stored document
-- (`x-pdf-text-layer`). NULL: rendered before the stamp existed, by a renderer
-- whose text layer could lose letters depending on earlier renders. Such
-- documents are re-rendered while the application is not yet submitted;
-- submitted ones keep their bytes (they are what was sent) and say so.
alter table application_documents add column text_layer integer;
create index application_documents_unstamped_idx on application_documents (application_id)
  where text_layer is null;

-- Down Migration
alter table application_documents drop column text_layer;
