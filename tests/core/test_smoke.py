from core.models import Role


def test_pages_render_for_everyone(client, factory, auth):
    factory.association(listed=True, name="Türkischer Elternverein")
    for path in ["/", "/directory/", "/login", "/access-request", "/legal/privacy", "/legal/imprint", "/legal/accessibility", "/password/forgot"]:
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Türkischer Elternverein" in client.get("/directory/?q=turkischer").get_data(as_text=True)
    assert "Türkischer Elternverein" in client.get("/directory/?q=TUERKISCHER").get_data(as_text=True)


def test_coordinator_pages(client, factory, auth):
    town = factory.municipality()
    a = factory.association(town)
    coordinator = factory.coordinator(town)
    auth.login_as(coordinator)
    for path in ["/associations/", "/associations/new", f"/associations/{a.id}", f"/associations/{a.id}/edit", "/associations/import", "/associations/requests", "/account"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[-3000:])


def test_admin_pages(client, factory, auth):
    factory.municipality()
    admin = factory.admin()
    auth.login_as(admin)
    for path in ["/admin/", "/admin/municipalities/new", "/admin/staff/invite", "/admin/pages/privacy/de"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[-3000:])
    assert admin.role is Role.admin
