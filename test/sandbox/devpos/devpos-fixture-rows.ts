import type { DevposRow } from "../../../src/sandbox/devpos/index.js";

/** Copies of rows from the shared production-shaped fixtures (devpos-sales/purchase-list.json). */
export const TENANT = "K12345678A";

export const salesRows: DevposRow[] = [
  {
    statusCanBeChanged: false, eic: "3f6c1d2a-8b4e-4f1a-9c7d-2e5b6a7c8d90", documentNumber: "9/2025",
    invoiceCreatedDate: "2025-10-26T17:35:12+01:00", dueDate: "2025-11-25T17:35:12+01:00", invoiceStatus: "Pranuar",
    amount: 14400.0, buyerNuis: "L91234567B", buyerName: "ALBA TRADE SHPK", sellerNuis: TENANT, sellerName: "",
    partyType: "Shitje", selfIssuingType: null, customer: null,
  },
  {
    statusCanBeChanged: true, eic: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff", documentNumber: "10/2025",
    invoiceCreatedDate: "2025-10-27T09:02:44+01:00", dueDate: "2025-11-26T09:02:44+01:00", invoiceStatus: "Dërguar",
    amount: 0.0, buyerNuis: "M02345678C", buyerName: "DURRES LOGISTICS SHPK", sellerNuis: TENANT, sellerName: "",
    partyType: "Shitje", selfIssuingType: null, customer: null, currencyCode: "EUR", exchangeRate: 97.35,
  },
  {
    statusCanBeChanged: false, eic: "0f9e8d7c-6b5a-4948-8372-615049382716", documentNumber: "3/2025",
    invoiceCreatedDate: "2025-10-28T11:20:00+01:00", dueDate: "2025-10-28T11:20:00+01:00", invoiceStatus: "Pranuar",
    amount: 5200.5, buyerNuis: TENANT, buyerName: "KOMPANIA DEMO SHPK", sellerNuis: TENANT, sellerName: "",
    partyType: "Shitje", selfIssuingType: "AGREEMENT", customer: { name: "Arben Hoxha", idNumber: "I85203411P" },
  },
];

export const purchaseRows: DevposRow[] = [
  {
    statusCanBeChanged: false, eic: "5e4d3c2b-1a09-4876-b543-210fedcba987", documentNumber: "1/2025",
    invoiceCreatedDate: "2025-10-20T08:15:00+02:00", dueDate: "2025-11-19T08:15:00+01:00", invoiceStatus: "Pranuar",
    amount: 36000.0, buyerNuis: TENANT, buyerName: "KOMPANIA DEMO SHPK", sellerNuis: "J61823004R",
    sellerName: "ENERGJIA VERI SHA", partyType: "Blerje",
  },
  {
    statusCanBeChanged: false, eic: "7c6b5a49-3827-4160-a5f4-e3d2c1b0a998", documentNumber: "1/2025",
    invoiceCreatedDate: "2025-10-21T13:40:10+02:00", dueDate: null, invoiceStatus: "Refuzuar", amount: 1250.75,
    buyerNuis: TENANT, buyerName: "KOMPANIA DEMO SHPK", sellerNuis: "L72019385F", sellerName: "PRINT SERVIS SHPK",
    partyType: "Blerje",
  },
];
