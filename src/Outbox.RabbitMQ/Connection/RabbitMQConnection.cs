using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outbox.RabbitMQ.Configuration;
using Outbox.RabbitMQ.Telemetry;
using Outbox.Transport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Outbox.RabbitMQ.Connection;

/// <summary>
/// The one connection of this process to the broker, opened on first use and opened again on the first
/// use after it was lost (at most once per <see cref="RabbitMQOptions.RecoveryInterval"/>); the
/// publishing channel; and the exchanges declared on the current connection. The client's own
/// automatic recovery is off: a connection that is gone is replaced, never waited for.
/// </summary>
internal sealed class RabbitMQConnection(IOptions<RabbitMQOptions> options, ILogger<RabbitMQConnection> logger, IHostApplicationLifetime? lifetime = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Task> _exchanges = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _publisher;
    private long _nextAttempt;
    private bool _wasConnected;

    public RabbitMQOptions Options => options.Value;

    /// <summary>The broker URI with its password hidden.</summary>
    public string Address => BrokerAddress.Redact(Options.Uri);

    /// <summary>The open connection; opens it the first time, and again after it was lost.</summary>
    /// <exception cref="TransportUnavailableException">
    /// The broker cannot be reached (the message names the host, never the password), or the last attempt was
    /// less than <see cref="RabbitMQOptions.RecoveryInterval"/> ago.
    /// </exception>
    /// <exception cref="OutboxException">The broker refused the credentials, the virtual host or the TLS handshake.</exception>
    public async ValueTask<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await OpenAsync(cancellationToken).ConfigureAwait(false);
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

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_publisher is { IsOpen: true } again)
            {
                return again;
            }

            // A channel the broker closed (after a refused declaration, say), or one lost with its
            // connection, is not reused: open another, on a new connection if need be.
            await RetireAsync(_publisher).ConfigureAwait(false);
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Stops using <paramref name="publisher"/> for sends, when a batch on it ended without an answer for
    /// every message: the next batch opens a new channel, whose confirmations start afresh.
    /// </summary>
    public async ValueTask RetirePublisherAsync(IChannel publisher)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_publisher, publisher))
            {
                _publisher = null;
                await RetireAsync(publisher).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Declares <paramref name="exchange"/> once per connection (durable, of the configured type); a declaration that failed is forgotten, so the next call tries again.</summary>
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
        var channel = await ChannelAsync(cancellationToken).ConfigureAwait(false);
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

    // Opens a channel for a declaration; a connection the broker closed as it opened says why.
    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason is { } reason && Refused(reason.ReplyCode, reason.ReplyText, new Uri(Options.Uri)) is { } refusal)
        {
            throw new OutboxException($"RabbitMQ at {Address} refused the connection: {refusal}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RetireAsync(_publisher).ConfigureAwait(false);
        await CloseAsync(_connection).ConfigureAwait(false);
        _gate.Dispose();
    }

    private static async ValueTask CloseAsync(IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.IsOpen)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // It was gone already.
        }
    }

    // Aborting fails whatever still waits for a confirmation on the channel, so no send waits forever.
    private static async ValueTask RetireAsync(IChannel? channel)
    {
        if (channel is null)
        {
            return;
        }

        try
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // It was gone already.
        }
    }

    // Called with the gate held.
    private async ValueTask<IConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        var now = Environment.TickCount64;
        if (_connection?.CloseReason is { } closed && Refused(closed.ReplyCode, closed.ReplyText, new Uri(Options.Uri)) is { } refusal)
        {
            // Closed by the broker as it opened (an unknown virtual host, say): a setting to fix, not an outage.
            throw new OutboxException($"RabbitMQ at {Address} refused the connection: {refusal}");
        }

        if (_connection is not null && now < _nextAttempt)
        {
            throw new TransportUnavailableException($"Not connected to RabbitMQ at {Address}: the connection was lost ({_connection.CloseReason?.ReplyText}); the next attempt to reconnect is within {Options.RecoveryInterval}.");
        }

        _nextAttempt = now + (long)Options.RecoveryInterval.TotalMilliseconds;
        var lost = _connection;
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        _connection = connection;
        _exchanges.Clear(); // declared again on the new connection, in case the broker lost them
        await CloseAsync(lost).ConfigureAwait(false);
        if (_wasConnected)
        {
            Log.ConnectionRecovered(logger, Address);
        }
        else
        {
            Log.Connected(logger, Address);
            _wasConnected = true;
        }

        return connection;
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
            AutomaticRecoveryEnabled = false, // see GetAsync: a lost connection is replaced
            TopologyRecoveryEnabled = false,
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
                // While the service stops, a connection the broker closes (after a settlement that raced its
                // channel's closing, say) is not an outage: nothing reconnects, and what was not acknowledged is
                // delivered again to the next process.
                if (args.Initiator != ShutdownInitiator.Application && lifetime?.ApplicationStopping.IsCancellationRequested == true)
                {
                    Log.ConnectionClosedWhileStopping(logger, Address, args.ReplyText);
                }
                else if (args.Initiator != ShutdownInitiator.Application)
                {
                    Log.ConnectionLost(logger, Address, args.ReplyText);
                }

                return Task.CompletedTask;
            };
            return connection;
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or AuthenticationFailureException or OperationInterruptedException
            or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            var password = uri.UserInfo.Split(':', 2) is [_, var secret] ? secret : "";
            if (Refusal(ex, uri) is { } refusal)
            {
                throw new OutboxException($"RabbitMQ at {Address} refused the connection: {BrokerAddress.Scrub(refusal, password)}");
            }

            throw new TransportUnavailableException(
                $"Could not connect to RabbitMQ at {Address}: {BrokerAddress.Scrub(Reason(ex), password)} Check Outbox:RabbitMQ:Uri and that the broker is running.");
        }
    }

    // A refusal that waiting will not mend, with the setting to fix; null when the broker could not be reached
    // (refused or timed-out connections, a name that does not resolve, a broker starting up or shutting down).
    private static string? Refusal(Exception ex, Uri uri)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var refusal = e switch
            {
                PossibleAuthenticationFailureException =>
                    $"it refused the user name or password ({e.Message}). Check the user and password in Outbox:RabbitMQ:Uri.",
                OperationInterruptedException { ShutdownReason: { } reason } => Refused(reason.ReplyCode, reason.ReplyText, uri), // AlreadyClosedException too
                System.Security.Authentication.AuthenticationException =>
                    $"the TLS handshake failed ({e.Message}). Check Outbox:RabbitMQ:Tls and the broker's certificate.",
                _ => null,
            };
            if (refusal is not null)
            {
                return refusal;
            }
        }

        return null;
    }

    // A connection the broker closed with a code that says which setting is wrong.
    private static string? Refused(ushort code, string text, Uri uri) => code switch
    {
        Constants.AccessRefused => $"it refused the user name or password ({text}). Check the user and password in Outbox:RabbitMQ:Uri.",
        Constants.NotAllowed => $"the virtual host '{VirtualHost(uri)}' does not exist, or the user may not use it ({text}). Check the path of Outbox:RabbitMQ:Uri.",
        _ => null,
    };

    // The path of the URI, decoded; the default virtual host when there is none.
    private static string VirtualHost(Uri uri) => Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } vhost ? vhost : "/";

    // The innermost explanation: BrokerUnreachableException wraps the socket error.
    private static string Reason(Exception ex)
    {
        var reasons = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            reasons.Add(e.Message);
        }

        return reasons[^1].TrimEnd('.') + ".";
    }
}
