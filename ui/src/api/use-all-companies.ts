import { useQuery } from "@tanstack/react-query";
import { api, query } from "./client";
import { paths } from "./paths";
import type { Company, Page } from "./types";

/** Company names for pickers (admin pages): the first 200, by name. */
export function useAllCompanies() {
  return useQuery({
    queryKey: ["companies", "picker"],
    queryFn: () => api.get<Page<Company>>(paths.companies + query({ limit: 200 })).then((p) => p.items),
    staleTime: 60_000,
  });
}
