// Starts Swagger UI on this node's OpenAPI document (GPID node; not part of swagger-ui-dist).
// A file rather than an inline script, so that /docs needs no 'unsafe-inline' script source;
// no validator (it would send the document to validator.swagger.io).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayOperationId: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
