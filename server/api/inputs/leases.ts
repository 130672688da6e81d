// The lease filter as the console pages read it from their URL (server/alloc/lease-filter.ts):
// re-exported here because pages reach server code through server/api only.
export {
  LEASE_SORTS,
  LEASE_STATES,
  SEARCH_FIELDS,
  fieldErrorsOf,
  leaseFilterSchema,
  leaseListSchema,
  leaseParamsFrom,
  type LeaseFilterInput,
  type LeaseListInput,
  type LeaseSort,
  type SearchField,
} from "../../alloc/lease-filter";
