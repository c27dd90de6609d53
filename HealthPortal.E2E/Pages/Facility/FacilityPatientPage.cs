using Microsoft.Playwright;

namespace HealthPortal.E2E.Pages.Facility;

/// <summary>Staff's page of one patient: header, the facility's entry form, the confirmation QR, the records with their status,
/// and the panels of other facilities' records and of access requests.</summary>
public sealed class FacilityPatientPage(IPage page, string mpi) : PortalPage(page)
{
    protected override string Path => "facility/patients/" + mpi;

    /// <summary>The patient's initials: all a desk lookup shows of the name.</summary>
    public ILocator Name => TestId("staff-patient-name");
    public ILocator BirthYear => TestId("staff-patient-birth-year");
    public ILocator Mpi => TestId("staff-patient-mpi");
    public ILocator EntryForm => TestId("record-entry");
    public ILocator ConfirmationPanel => TestId("confirmation-panel");
    public ILocator ConfirmQr => TestId("confirm-qr");
    public ILocator ConfirmLink => TestId("confirm-link");
    public ILocator StaffAnchored => TestId("staff-anchored");
    public ILocator StaffAnchoredBlock => TestId("staff-anchored-block");
    public ILocator StaffRejectedReason => TestId("staff-rejected-reason");
    public ILocator PrepareError => TestId("prepare-error");
    public AdmissionForm Admission => new(Page);
    public LabOrderForm Laboratory => new(Page);
    public ClinicVisitForm Visit => new(Page);
    public ILocator Records => TestId("patient-record");
    public ILocator Panels => TestId("patient-panels");
    public SharedRecordsPanel SharedRecords => new(Page);
    public RequestAccessPanel RequestAccess => new(Page);

    public ILocator Record(string recordId) => Page.Locator($"[data-testid='patient-record'][data-record-id='{recordId}']");

    /// <summary>The id of the confirmation the QR code stands for (the save just made).</summary>
    public async Task<string> ConfirmationIdAsync() => (await ConfirmationPanel.GetAttributeAsync("data-confirmation-id"))!;

    /// <summary>A save of this facility still waiting for the patient, in the "waiting for the patient" list.</summary>
    public ILocator WaitingItem(string confirmationId) => Page.Locator($"[data-testid='waiting-for-patient-item'][data-confirmation-id='{confirmationId}']");

    public ILocator StatusOf(string recordId) => Record(recordId).GetByTestId("anchor-status");
}
