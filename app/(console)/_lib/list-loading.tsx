import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableSkeleton } from "@/components/ui/skeleton";
import type { Section } from "./sections";

/** What a list page shows while its rows load: the real title, then grey rows. */
export function ListLoading({ section }: { section: Section }) {
  const { title, description } = section;
  return (
    <>
      <PageHeader title={title} description={description} />
      <Card>
        <TableSkeleton rows={6} label={`Loading ${title.toLowerCase()}`} />
      </Card>
    </>
  );
}
