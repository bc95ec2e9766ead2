import * as z from 'zod';
import { tagFields } from './fields.ts';
import { isoDateTime } from './time.ts';

export const customerIdSchema = z
  .string()
  .regex(/^C-\d{5}$/, 'Customer ids look like C-00042; use search_customers to find one')
  .describe('Customer number shared by CRM, ERP and ticketing, e.g. "C-00042".');

export const contactSchema = z
  .object(
    tagFields('contact', {
      id: z.string().describe('CRM contact id.'),
      firstName: z.string().nullable().describe('First name; null when the CRM has none.'),
      lastName: z.string().nullable().describe('Last name; null when the CRM has none.'),
      email: z.string().nullable().describe('Email address; null when unknown.'),
      phone: z.string().nullable().describe('Phone number; null when unknown.'),
      jobTitle: z.string().nullable().describe('Job title; null when unknown.'),
    }),
  )
  .describe('A person at the customer.');
export type Contact = z.output<typeof contactSchema>;

export const customerSummarySchema = z
  .object(
    tagFields('customer', {
      id: customerIdSchema,
      name: z.string().describe('Company name.'),
      domain: z.string().nullable().describe('Web domain; null when unknown.'),
      industry: z.string().nullable().describe('Industry; null when unknown.'),
      city: z.string().nullable().describe('City of the head office; null when unknown.'),
      country: z.string().nullable().describe('Country of the head office; null when unknown.'),
    }),
  )
  .describe('A customer as search results show it.');
export type CustomerSummary = z.output<typeof customerSummarySchema>;

export const customerSchema = customerSummarySchema
  .extend(
    tagFields('customer', {
      crmId: z.string().describe('The CRM company record id.'),
      phone: z.string().nullable().describe('Main phone number; null when unknown.'),
      employees: z.number().nullable().describe('Number of employees; null when unknown.'),
      annualRevenue: z.number().nullable().describe('Annual revenue in USD; null when unknown.'),
      lifecycleStage: z
        .string()
        .nullable()
        .describe('CRM lifecycle stage, e.g. "customer" or "opportunity"; null when unset.'),
      createdAt: isoDateTime().nullable().describe('When the CRM record was created (ISO 8601).'),
      updatedAt: isoDateTime().nullable().describe('When the CRM record last changed (ISO 8601).'),
      contacts: z.array(contactSchema).describe('People at the customer, as the CRM knows them.'),
    }),
  )
  .describe('A customer with its CRM details and contacts.');
export type Customer = z.output<typeof customerSchema>;
