export { createRng, hashSeed, type Rng } from "./rng.js";
export { generateCompany, generateCompanies, generatePerson, generateNuis, NUIS_PATTERN } from "./parties.js";
export type { GeneratedCompany, GeneratedPerson } from "./parties.js";
export { generateEic, EIC_PATTERN } from "./eic.js";
export { generateDocuments } from "./documents.js";
export type { EdgeCaseRates, GenerateDocumentsOptions, GeneratedDocument } from "./documents.js";
