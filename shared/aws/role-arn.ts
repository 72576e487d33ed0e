/** An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/><name>`. */
export const ROLE_ARN_PATTERN =
  /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role\/([\x21-\x7e]*\/)?[\w+=,.@-]{1,64}$/;

/** The account a role ARN is in (its fifth field). */
export function roleArnAccount(roleArn: string): string {
  return roleArn.split(':')[4] ?? '';
}
