from gongzhi.core import context


def client_ip(request) -> str | None:
    # Behind a trusted proxy, set the proxy to pass the address in REMOTE_ADDR
    # (gunicorn --forwarded-allow-ips); X-Forwarded-For is not trusted here.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.activate(context.RequestContext(client_ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            context.deactivate(token)
