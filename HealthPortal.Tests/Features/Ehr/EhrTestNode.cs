using HealthPortal.Data;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>
/// The demo portal database (for the facility registry) and a temporary data folder with the three demo
/// facilities' EHR stores provisioned, plus the EHR services over them. Tests write for patients of their own
/// (fresh MPI numbers), so the classes sharing it never see each other's rows.
/// </summary>
public sealed class EhrTestNode : IAsyncLifetime
{
    public const string Hospital = "demo-riverside";
    public const string Clinic = "demo-lakeview";
    public const string Laboratory = "demo-northgate";

    private ServiceProvider? _provider;

    public PortalTestDatabase Database { get; } = new();

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("healthportal-ehr-").FullName;

    public IServiceProvider Services => _provider!;

    public EhrStores Stores => Services.GetRequiredService<EhrStores>();
    public EhrStoreProvisioner Provisioner => Services.GetRequiredService<EhrStoreProvisioner>();
    public HospitalRecords HospitalRecords => Services.GetRequiredService<HospitalRecords>();
    public ClinicRecords ClinicRecords => Services.GetRequiredService<ClinicRecords>();
    public LaboratoryRecords LaboratoryRecords => Services.GetRequiredService<LaboratoryRecords>();

    public static string NewMpi() => MpiNumber.NewNumber();

    public void AddTo(IServiceCollection services)
    {
        Database.AddTo(services);
        services.AddSingleton(Options.Create(new PortalDataOptions { DataFolder = DataFolder }));
        services.AddSingleton<EhrStoreProvisioner>();
        services.AddEhrStores();
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var services = new ServiceCollection();
        AddTo(services);
        _provider = services.BuildServiceProvider();
        foreach (var demo in DemoData.Facilities) Provisioner.Provision(new HealthFacility { Id = demo.Id, Name = demo.Name, Kind = demo.Kind });
    }

    public string PathOf(string facilityId) => Provisioner.PathOf(facilityId);

    /// <summary>Runs one statement straight against a store file, as an operator (or an attacker) with file access would.</summary>
    public long Execute(string facilityId, string sql, params (string Name, object Value)[] parameters)
    {
        using var db = new SqliteConnection($"Data Source={PathOf(facilityId)};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) ? (long)command.ExecuteScalar()! : command.ExecuteNonQuery();
    }

    public long Count(string facilityId, string table) => Execute(facilityId, $"SELECT COUNT(*) FROM {table}");

    public async Task DisposeAsync()
    {
        if (_provider is not null) await _provider.DisposeAsync();
        await Database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
