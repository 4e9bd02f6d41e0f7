/** `staging` → `Staging`: construct ids and CloudFormation logical ids are PascalCase. */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
