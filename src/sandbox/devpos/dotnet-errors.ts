import { randomBytes } from "node:crypto";

/**
 * Error bodies in the shapes an ASP.NET Core service produces, so clients are exercised against
 * text/plain stack traces and problem+json rather than tidy JSON. The DevPos namespaces in the
 * stack trace are invented: only the exception type and message matter to clients.
 */
export function nullReferenceExceptionBody(action: string): string {
  return [
    "System.NullReferenceException: Object reference not set to an instance of an object.",
    `   at DevPos.EInvoice.Services.EInvoiceService.${action}(DateTime fromDate, DateTime toDate, Boolean includePdf)`,
    `   at DevPos.Api.Controllers.V3.EInvoiceController.${action}(DateTime fromDate, DateTime toDate, Boolean includePdf)`,
    "   at lambda_method(Closure , Object , Object[] )",
    "   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)",
    "   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Logged|12_1(ControllerActionInvoker invoker)",
    "",
  ].join("\r\n");
}

/** ASP.NET Core's automatic 400 for model-binding failures. */
export function validationProblem(errors: Record<string, string[]>): Record<string, unknown> {
  return {
    type: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    title: "One or more validation errors occurred.",
    status: 400,
    traceId: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-00`,
    errors,
  };
}

/** JwtBearer's challenge header: bare for a missing/unknown token, with a reason when expired. */
export function bearerChallenge(expiredAt?: number): string {
  if (expiredAt === undefined) return "Bearer";
  const when = new Date(expiredAt).toLocaleString("en-US", { timeZone: "UTC", hour12: false });
  return `Bearer error="invalid_token", error_description="The token expired at '${when}'"`;
}
