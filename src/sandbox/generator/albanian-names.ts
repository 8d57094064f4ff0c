/**
 * Word lists for plausible Albanian parties. Purely invented combinations: any resemblance to a
 * registered company is accidental, which is why names combine a stem, a sector and a form.
 */
export const COMPANY_STEMS = [
  "ALBA", "ILIRIA", "DARDANIA", "ARBERIA", "TOMORRI", "DAJTI", "VLORA", "DURRES", "SHKODRA",
  "KORCA", "BUTRINTI", "OHRI", "DRINI", "EGNATIA", "ADRIATIK", "JONI", "MAJA", "ERA", "DIELLI",
  "YLLI", "SHQIPONJA", "VERI", "JUGU", "GJIROKASTRA", "BERATI", "KRUJA", "PRIMA", "EURO", "NOVA",
] as const;

export const COMPANY_SECTORS = [
  "TRADE", "LOGISTICS", "CONSTRUCTION", "ENERGJIA", "PRINT SERVIS", "AGRO", "TEKSTIL", "FARMA",
  "MARKET", "IMPORT EXPORT", "KONSULTING", "TRANSPORT", "NDERTIM", "MOBILERI", "SOFTWARE",
  "HOTEL", "DISTRIBUTION", "AUTO", "PETROL", "ELEKTRONIK", "USHQIME", "BETON",
] as const;

/** Legal forms weighted towards SHPK, as most Albanian companies are limited liability. */
export const COMPANY_FORMS = ["SHPK", "SHPK", "SHPK", "SHPK", "SHA"] as const;

export const FIRST_NAMES = [
  "Arben", "Elira", "Besnik", "Blerina", "Dritan", "Erjona", "Gentian", "Mirela", "Ilir", "Anila",
  "Fatmir", "Klodiana", "Ledion", "Rezarta", "Sokol", "Xhensila", "Altin", "Brunilda", "Endrit",
  "Jonida", "Kastriot", "Valbona", "Arjan", "Ermira", "Flamur", "Teuta", "Agim", "Lindita",
] as const;

export const LAST_NAMES = [
  "Hoxha", "Dervishi", "Shehu", "Leka", "Gjoka", "Kola", "Marku", "Basha", "Krasniqi", "Dedja",
  "Prifti", "Meta", "Cela", "Duka", "Bregu", "Topalli", "Hysa", "Kapllani", "Mema", "Rama",
  "Zeneli", "Luli", "Gjini", "Spahiu", "Tafa", "Xhafa", "Berisha", "Muca",
] as const;
