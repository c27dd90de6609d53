using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// An Ethereum wallet for browser tests: an EIP-1193 provider injected into every page of a context and announced by
/// EIP-6963, whose requests are answered in .NET (<see cref="IBrowserContext.ExposeFunctionAsync"/>).
/// <c>eth_signTypedData_v4</c> signs the JSON the page gave with Nethereum's own parser and signer for a test key, as a
/// real wallet signs what it shows: nothing of the portal's typed-data code is used here.
/// </summary>
public sealed class InjectedWallet
{
    // Fixed: pages served over plain http on loopback are not a secure context there, so crypto.randomUUID is missing.
    public const string Uuid = "6f1c3b1e-52a1-4c1e-9a57-00000000e2e1";
    public const string Name = "E2E Test Wallet";

    private InjectedWallet(EthECKey key, long chainId)
    {
        Key = key;
        ChainId = chainId;
    }

    public EthECKey Key { get; }

    /// <summary>The account's EIP-55 address.</summary>
    public string Address => Key.GetPublicAddress();

    /// <summary>The chain id the wallet says it is on (<c>eth_chainId</c>).</summary>
    public long ChainId { get; set; }

    /// <summary>When set, the next requests to sign are rejected as a user would (EIP-1193 4001).</summary>
    public bool RejectSigning { get; set; }

    /// <summary>When set, the wallet shares this account instead of its own (another account selected).</summary>
    public string? SharedAccount { get; set; }

    /// <summary>Every typed data the wallet was asked to sign, as given (what it would show), in order.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>How many signatures the wallet gave.</summary>
    public int SignedCount => _signed;

    private int _signed;

    /// <summary>Installs a wallet holding a fresh key into <paramref name="context"/>; it shows up in pages opened or loaded after this.</summary>
    public static async Task<InjectedWallet> InstallAsync(IBrowserContext context, long chainId)
    {
        var wallet = new InjectedWallet(EthECKey.GenerateKey(), chainId);
        await context.ExposeFunctionAsync<string, string, string>("__e2eWallet", wallet.Answer);
        await context.AddInitScriptAsync(Script);
        return wallet;
    }

    private string Answer(string method, string paramsJson)
    {
        try
        {
            var parameters = JsonNode.Parse(paramsJson) as JsonArray ?? [];
            return method switch
            {
                "eth_requestAccounts" or "eth_accounts" => Ok(new JsonArray((SharedAccount ?? Address).ToLowerInvariant())),
                "eth_chainId" => Ok("0x" + ChainId.ToString("x", System.Globalization.CultureInfo.InvariantCulture)),
                "eth_signTypedData_v4" => Sign(parameters),
                _ => Error(4200, $"The method {method} is not supported by this wallet."),
            };
        }
        catch (Exception e)
        {
            return Error(-32603, e.Message);
        }
    }

    private string Sign(JsonArray parameters)
    {
        var account = parameters[0]!.GetValue<string>();
        var json = parameters[1]!.GetValue<string>();
        Requests.Enqueue(JsonNode.Parse(json)!.AsObject());
        if (RejectSigning) return Error(4001, "User rejected the request.");
        if (!string.Equals(account, Address, StringComparison.OrdinalIgnoreCase)) return Error(4100, "The requested account has not been authorized by the user.");
        var signature = new Eip712TypedDataSigner().SignTypedDataV4(json, Key);
        Interlocked.Increment(ref _signed);
        return Ok(signature);
    }

    private static string Ok(JsonNode? result) => new JsonObject { ["result"] = result }.ToJsonString();

    private static string Error(int code, string message) => new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString();

    private const string Script = """
        (() => {
          const provider = {
            async request({ method, params }) {
              const answer = JSON.parse(await window.__e2eWallet(method, JSON.stringify(params ?? [])));
              if (answer.error) { const e = new Error(answer.error.message); e.code = answer.error.code; throw e; }
              return answer.result;
            },
            on() {}, removeListener() {},
          };
          const info = Object.freeze({ uuid: '6f1c3b1e-52a1-4c1e-9a57-00000000e2e1', name: 'E2E Test Wallet', rdns: 'org.healthportal.e2e',
            icon: 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E' });
          const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
          window.addEventListener('eip6963:requestProvider', announce);
          announce();
        })();
        """;
}
