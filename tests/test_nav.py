"""Navigation: one main-menu link per section the person may use, and the section's pages below."""

from hr.auth.principal import Principal, Role
from hr.web import NAV, menus_for


def person(*roles) -> Principal:
    return Principal(account_id=1, email="x", name="x", roles=frozenset(roles))


def test_staff_see_their_sections_with_their_own_pages_first():
    sections, _, _ = menus_for(person(Role.STAFF), "/")
    assert [(label, href) for label, href, _ in sections] == [
        ("Forside", "/"), ("Arbejdsmiljø", "/arbejdsmiljoe"), ("Supervision", "/supervision/kalender"),
        ("Kompetence", "/kompetence/mit")]
    assert [current for *_, current in sections] == [True, False, False, False]


def test_the_current_section_and_page_are_marked_and_its_pages_listed():
    hr = person(Role.HR)
    menu, section, pages = menus_for(hr, "/admin/post/17")
    sections = {label: current for label, _, current in menu}
    assert sections["Administration"] and not sections["Arbejdsmiljø"]
    assert section == "Administration"
    assert [(label, current) for label, _, current in pages][-1] == ("Udbakke", True)
    assert menus_for(hr, "/ledelsesinformation")[1:] == ("", ())  # a section of one page has no sub-menu


def test_every_role_has_a_short_main_menu():
    for role in Role.ALL:
        assert len(menus_for(person(role), "/")[0]) <= 7
    assert len({section for section, *_ in NAV}) == 7


def test_in_production_the_menus_are_rendered_once_per_roles_and_page():
    from dataclasses import replace

    from hr.app import create_app
    from hr.settings import get_settings, set_settings

    before = get_settings()
    try:
        menus = create_app(replace(before, mode="production")).template_engine.engine.globals["menus"]
    finally:
        set_settings(before)
    staff_home, hr = menus(person(Role.STAFF), "/"), person(Role.HR)
    assert menus(person(Role.STAFF), "/") is staff_home
    assert "Revisionslog" not in staff_home and 'aria-current="true" class="current">Forside' in staff_home
    post = menus(hr, "/admin/post/17")
    assert 'aria-current="page" class="current">Udbakke' in post and menus(hr, "/admin/post/18") is post
    assert "app-subnav" not in menus(hr, "/ledelsesinformation") and menus(None, "/") == ""
