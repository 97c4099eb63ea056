from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def index(request, pk=None):
    return HttpResponse("compliance")
