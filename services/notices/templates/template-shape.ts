/** A notice's texts: subject, plain-text body and HTML body, with `{{placeholder}}`s. */
export interface NoticeTemplates {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}
