from gongzhi.core import access
from gongzhi.core.navigation import menu_for

LARGE_TEXT_COOKIE = "gz_text"


def large_text(request) -> bool:
    """The large-text mode (适老化) a visitor switched on: a cookie holding only "large"."""
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "large"


def workbench(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"large_text": large_text(request)}
    return {
        "large_text": large_text(request),
        "nav_items": menu_for(user),
        "my_posts": access.active_posts(user),
        "is_staff_user": access.is_staff_user(user),
    }
