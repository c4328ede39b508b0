namespace Auditrail.Server.Metrics;

/// <summary>
/// Something with counters to expose on <c>/metrics</c>. Sources are registered in the service
/// collection (<c>services.AddSingleton&lt;IMetricsSource&gt;(...)</c>) by the module that owns them and
/// asked for their current values at each scrape, so no component depends on a metrics library.
/// </summary>
public interface IMetricsSource
{
    /// <summary>
    /// Writes the current values. Called on the scrape's thread, concurrently with the component's own
    /// work, so read counters atomically. A throw drops this source's samples from the page and is
    /// counted; the rest of the page is still served.
    /// </summary>
    void Collect(MetricsWriter writer);
}
