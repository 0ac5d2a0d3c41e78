"""The API's documentation in Danish, rendered by us from the OpenAPI document: RapiDoc's own
interface is English and cannot be translated, so it stays only as the place to try calls."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

METHODS = ("get", "post", "put", "patch", "delete")
WHERE = {"path": "i adressen", "query": "i forespørgslen", "header": "i en header", "cookie": "i en cookie"}
# Litestar words the success answers in English; the rest of the descriptions are ours.
SUCCESS = {"200": "Svaret følger", "201": "Oprettet", "202": "Modtaget", "204": "Intet indhold"}


def _type(schema: dict | None) -> str:
    """A schema in a word: its type, the name of the schema it refers to, or the alternatives."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " eller ".join(t for t in (_type(s) for s in schema[key]) if t and t != "null")
    if schema.get("type") == "array":
        return f"liste af {_type(schema.get('items'))}"
    kind = schema.get("type", "")
    return f"{kind} ({schema['format']})" if schema.get("format") else kind


def operations(schema: dict[str, Any]) -> list[dict]:
    """Each operation with what a reader needs: method, path, summary, parameters, body, answers."""
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = op.get("requestBody", {}).get("content", {})
            out.append({
                "id": op.get("operationId", f"{method}-{path}"), "method": method.upper(), "path": path,
                "tag": (op.get("tags") or ["Øvrige"])[0], "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [{"name": p["name"], "where": WHERE.get(p.get("in"), p.get("in")),
                                "required": p.get("required", False), "type": _type(p.get("schema")),
                                "description": p.get("description", "")} for p in op.get("parameters", [])],
                "body": [(content_type, _type(c.get("schema"))) for content_type, c in body.items()],
                "responses": [(code, SUCCESS.get(code, r.get("description", "")),
                               _type(next(iter(r.get("content", {}).values()), {}).get("schema")))
                              for code, r in op.get("responses", {}).items()],
            })
    return sorted(out, key=lambda o: (o["tag"], o["path"], METHODS.index(o["method"].lower())))


def schemas(schema: dict[str, Any]) -> list[dict]:
    out = []
    for name, body in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(body.get("required", []))
        out.append({"name": name, "description": body.get("description", ""),
                    "properties": [(prop, _type(spec), prop in required, spec.get("description", ""))
                                   for prop, spec in body.get("properties", {}).items()]})
    return out


class DanishApiDocs(OpenAPIRenderPlugin):
    """/api/v1/schema/: the documentation as a page of our own (Danish, accessible, nothing
    fetched from elsewhere)."""

    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path, media_type=MediaType.HTML)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        found = operations(openapi_schema)
        tags = list(dict.fromkeys(o["tag"] for o in found))
        template = request.app.template_engine.get_template("api_docs.html")
        return template.render(info=openapi_schema.get("info", {}), operations=found, tags=tags,
                               schemas=schemas(openapi_schema)).encode()
