import { ListLoading } from "../_lib/list-loading";
import { SECTIONS } from "../_lib/sections";

export default function Loading() {
  return <ListLoading section={SECTIONS.operators} />;
}
