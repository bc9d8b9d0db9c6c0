"""A club admin logs in to the admin in a real browser."""

from tests.browser.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, shoot


def test_an_admin_logs_in_and_sees_the_integration_on_the_index(admin_page):
    assert admin_page.locator("#user-tools").inner_text().upper().count(ADMIN_USERNAME.upper())
    assert admin_page.get_by_role("link", name="Twizzit connections").count() == 1
    shoot(admin_page, "admin-index")


def test_a_wrong_password_is_refused_on_the_login_form(page, live_server, admin_user_for_browser):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD + "-wrong")
    page.click("input[type=submit]")
    assert (
        "Please enter the correct username and password" in page.locator(".errornote").inner_text()
    )
