/** consul-template's ServiceTags: a sorted list of tags with a `Contains` method for templates. */
export class ServiceTags extends Array<string> {
  static sorted(tags: readonly string[]): ServiceTags {
    const out = new ServiceTags();
    out.push(...[...tags].sort());
    return out;
  }

  /** `{{ if .Tags.Contains "primary" }}` */
  Contains(tag: string): boolean {
    return this.includes(tag);
  }
}
