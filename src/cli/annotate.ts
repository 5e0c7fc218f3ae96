// skiff annotate: add, change (--overwrite) or remove (key-) annotations; label's machinery with free-text values.
import type { Argv, CommandModule } from "yargs";
import { run, withConnection, withFilenames, withNamespace, withSelectors } from "./args.ts";
import { type LabelArgs, type MetadataMap, updateMetadataMap } from "./label.ts";

export const annotationsMap: MetadataMap = {
  field: "annotations",
  noun: "annotation",
  done: "annotated",
  undone: "unannotated",
  checkValue() {},
};

export const annotateCommand: CommandModule<object, LabelArgs> = {
  command: "annotate [args..]",
  describe: "Update the annotations on resources: annotate TYPE NAME key=value key2-",
  builder: (y) =>
    withSelectors(withNamespace(withFilenames(withConnection(y))))
      .positional("args", { type: "string", array: true, describe: "TYPE NAME... or TYPE/NAME..., then key=value to set, key- to remove" })
      .option("overwrite", { type: "boolean", describe: "Allow changing the value of an annotation that is already set" })
      .option("all", { type: "boolean", describe: "Every object of the type in the namespace" })
      .option("output", { alias: "o", type: "string", describe: "name: print only kind/name" }) as unknown as Argv<LabelArgs>,
  handler: run((argv) => updateMetadataMap(argv, annotationsMap)),
};
