using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.RabbitMQ.Configuration;
using Outbox.RabbitMQ.Telemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Connection;

/// <summary>
/// The one connection of this process to the broker, opened on first use and recovered automatically
/// after it is lost; the publishing channel; and the exchanges declared so far.
/// </summary>
internal sealed class RabbitMQConnection(IOptions<RabbitMQOptions> options, ILogger<RabbitMQConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _exchanges = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _publisher;

    public RabbitMQOptions Options => options.Value;

    /// <summary>The broker URI with its password hidden.</summary>
    public string Address => BrokerAddress.Redact(Options.Uri);

    /// <summary>The open connection; opens it the first time.</summary>
    /// <exception cref="OutboxException">The broker cannot be reached or refused the credentials; the message names the host, never the password.</exception>
    public async ValueTask<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _connection ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The channel sends go through: publisher confirms on, tracked per message.</summary>
    public async ValueTask<IChannel> GetPublisherAsync(CancellationToken cancellationToken)
    {
        if (_publisher is { IsOpen: true } channel)
        {
            return channel;
        }

        var connection = await GetAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_publisher is { IsOpen: true } again)
            {
                return again;
            }

            // A channel the broker closed (after a refused declaration, say) is not recovered: open another.
            // While the connection itself is down this throws, and the send fails until recovery succeeds.
            if (_publisher is not null)
            {
                await _publisher.DisposeAsync().ConfigureAwait(false);
            }

            _publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(
                    publisherConfirmationsEnabled: Options.PublisherConfirms,
                    publisherConfirmationTrackingEnabled: Options.PublisherConfirms,
                    outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken).ConfigureAwait(false);
            return _publisher;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Declares <paramref name="exchange"/> once per process (durable, of the configured type); a declaration that failed is forgotten, so the next call tries again.</summary>
    /// <exception cref="OutboxException">It exists with other settings.</exception>
    public async Task DeclareExchangeAsync(string exchange, CancellationToken cancellationToken)
    {
        var declared = _exchanges.GetOrAdd(exchange, name => DeclareAsync(name, cancellationToken));
        try
        {
            await declared.ConfigureAwait(false);
        }
        catch
        {
            _exchanges.TryRemove(new KeyValuePair<string, Task>(exchange, declared));
            throw;
        }
    }

    /// <summary>The exchange for messages to <paramref name="destination"/>.</summary>
    public string ExchangeFor(string destination) => Options.ExchangePerDestination ? destination : Options.Exchange;

    /// <summary>Runs a declaration on a channel of its own, so a refused one closes only that channel; turns the refusal into a sentence.</summary>
    public async Task DeclareAsync(string what, Func<IChannel, Task> declare, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await declare(channel).ConfigureAwait(false);
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == Constants.PreconditionFailed)
            {
                throw new OutboxException(
                    $"RabbitMQ at {Address} refused to declare {what}: it already exists with other settings ({ex.ShutdownReason.ReplyText}). " +
                    "Delete it, or change Outbox:RabbitMQ to match it.",
                    ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private Task DeclareAsync(string exchange, CancellationToken cancellationToken) => DeclareAsync(
        $"exchange '{exchange}' ({Options.ExchangeType}, durable)",
        channel => channel.ExchangeDeclareAsync(exchange, Options.ExchangeType, durable: true, autoDelete: false, cancellationToken: cancellationToken),
        cancellationToken);

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var settings = Options;
        var uri = new Uri(settings.Uri);
        var factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = settings.RecoveryInterval,
            RequestedConnectionTimeout = settings.ConnectionTimeout,
            ClientProvidedName = $"outbox:{AppDomain.CurrentDomain.FriendlyName}",
        };
        if (settings.Tls.Enabled || uri.Scheme == "amqps")
        {
            factory.Ssl = new SslOption { Enabled = true, ServerName = settings.Tls.ServerName ?? uri.Host };
        }

        try
        {
            var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            connection.ConnectionShutdownAsync += (_, args) =>
            {
                if (args.Initiator != ShutdownInitiator.Application)
                {
                    Log.ConnectionLost(logger, Address, args.ReplyText);
                }

                return Task.CompletedTask;
            };
            connection.RecoverySucceededAsync += (_, _) =>
            {
                Log.ConnectionRecovered(logger, Address);
                return Task.CompletedTask;
            };
            Log.Connected(logger, Address);
            return connection;
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or AuthenticationFailureException or OperationInterruptedException or IOException)
        {
            var password = Uri.UnescapeDataString(uri.UserInfo.Split(':', 2) is [_, var secret] ? secret : "");
            throw new OutboxException(
                $"Could not connect to RabbitMQ at {Address}: {BrokerAddress.Scrub(Reason(ex), password)} Check Outbox:RabbitMQ:Uri and that the broker is running.");
        }
    }

    // The innermost explanation: BrokerUnreachableException wraps the refusal or the socket error.
    private static string Reason(Exception ex)
    {
        var reasons = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationFailureException or PossibleAuthenticationFailureException)
            {
                return $"the broker refused the user name or password ({e.Message}).";
            }

            reasons.Add(e.Message);
        }

        return reasons[^1].TrimEnd('.') + ".";
    }
}
