from django.views.generic import TemplateView

from people.permissions import RoleRequiredMixin


class HomeView(RoleRequiredMixin, TemplateView):
    """The role-aware home page: one panel per role the person holds, each linking to what they do next.

    Each app contributes its panel as a template under `templates/<app>/_home_<role>.html`;
    the panels read their figures through the context built here.
    """

    template_name = "people/home.html"


class ProfileView(RoleRequiredMixin, TemplateView):
    template_name = "people/profile.html"
