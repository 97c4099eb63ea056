from gongzhi.core import access
from gongzhi.core.navigation import menu_for


def workbench(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(user),
        "my_posts": access.active_posts(user),
        "is_staff_user": access.is_staff_user(user),
    }
