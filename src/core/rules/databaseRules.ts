/** Rules about what PostgreSQL will be given, beyond the schema's shapes. */
import type { Finding, PathSegment } from "../diagnostics";
import type { Rule } from "./context";

/**
 * Each extension of a tenant is one resource of its stack (`<slug>-extension-<name>`): a name listed twice in one
 * layer would be two resources with one name. Reported in the file and layer that lists it.
 */
export const extensionsListedOnce: Rule = ({ controlPlane, template, tenants }) => {
  const lists: { file: string; path: PathSegment[]; extensions: readonly string[] }[] = [
    {
      file: controlPlane.file,
      path: ["defaults", "database", "extensions"],
      extensions: template.defaults.database?.extensions ?? [],
    },
    ...Object.entries(template.plans).map(([plan, layer]) => ({
      file: controlPlane.file,
      path: ["plans", plan, "database", "extensions"],
      extensions: layer.database?.extensions ?? [],
    })),
    ...tenants.map(({ file, spec }) => ({
      file,
      path: ["database", "extensions"],
      extensions: spec.database?.extensions ?? [],
    })),
  ];
  return lists.flatMap(({ file, path, extensions }) =>
    extensions.flatMap((extension, index): Finding[] =>
      extensions.indexOf(extension) === index
        ? []
        : [
            {
              file,
              path: [...path, index],
              rule: "extensionsListedOnce",
              message: `extension \`${extension}\` is listed twice`,
              fix: "remove the duplicate entry",
            },
          ],
    ),
  );
};
