<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Plugin\Framework\App;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\FrontControllerInterface;
use Magento\Framework\App\Request\Http as HttpRequest;
use Magento\Framework\App\Response\Http as HttpResponse;
use Magento\Framework\Module\Dir;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenancePage;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStateStore;
use MagentoIr\IncidentResponse\Plugin\Framework\App\FrontControllerPlugin;
use MagentoIr\IncidentResponse\Test\Unit\Support\MemoryVarDirectory;
use PHPUnit\Framework\TestCase;

final class FrontControllerPluginTest extends TestCase
{
    private HttpResponse $response;

    private function plugin(string $mode, ?string $message = null): FrontControllerPlugin
    {
        $var = new MemoryVarDirectory($this);
        (new MaintenanceStateStore($var->filesystem))->write([
            'mode' => $mode,
            'message' => $message,
            'retry_after' => 1200,
            'changed_at' => null,
            'prior_allowed_ips' => [],
        ]);
        $config = $this->getMockBuilder(ScopeConfigInterface::class)->getMock();
        $config->method('getValue')->willReturnCallback(static fn ($path) => [
            'general/store_information/name' => 'Luma & Co',
            'general/locale/code' => 'de_DE',
            'trans_email/ident_support/email' => 'help@shop.example',
        ][$path] ?? null);
        $moduleDir = $this->getMockBuilder(Dir::class)->disableOriginalConstructor()->getMock();
        $moduleDir->method('getDir')->willReturn(dirname(__DIR__, 5) . '/view');
        $this->response = $this->getMockBuilder(
            HttpResponse::class
        )->disableOriginalConstructor()->onlyMethods([])->getMock();
        return new FrontControllerPlugin(
            new MaintenanceStateStore($var->filesystem),
            new MaintenancePage($config, $moduleDir),
            $this->response
        );
    }

    private function request(string $path): HttpRequest
    {
        $request = $this->getMockBuilder(HttpRequest::class)->disableOriginalConstructor()->getMock();
        $request->method('getPathInfo')->willReturn($path);
        return $request;
    }

    private function dispatch(FrontControllerPlugin $plugin, string $path): mixed
    {
        return $plugin->aroundDispatch(
            $this->getMockBuilder(FrontControllerInterface::class)->getMock(),
            static fn () => 'controller ran',
            $this->request($path)
        );
    }

    public function testStorefrontModeAnswers503WithRetryAfterAndNoCaching(): void
    {
        $result = $this->dispatch($this->plugin('storefront'), '/women.html');

        self::assertSame($this->response, $result);
        self::assertSame(503, $this->response->getHttpResponseCode());
        self::assertSame('1200', (string) $this->response->getHeader('Retry-After')->getFieldValue());
        self::assertStringContainsString('no-store', $this->response->getHeader('Cache-Control')->getFieldValue());
        self::assertStringContainsString('<html lang="de-DE">', $this->response->getBody());
        self::assertStringContainsString('Please try again in about 20 minutes.', $this->response->getBody());
        self::assertStringContainsString('href="mailto:help@shop.example"', $this->response->getBody());
    }

    public function testMerchantMessageIsEscaped(): void
    {
        $this->dispatch($this->plugin('storefront', '<script>alert(1)</script> "back" soon'), '/');

        $body = $this->response->getBody();
        self::assertStringNotContainsString('<script>', $body);
        self::assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt; &quot;back&quot; soon', $body);
        self::assertStringContainsString('Luma &amp; Co', $body);
    }

    public function testCheckoutModeClosesOnlyCheckoutPages(): void
    {
        $plugin = $this->plugin('checkout');
        self::assertSame('controller ran', $this->dispatch($plugin, '/women.html'));
        self::assertSame($this->response, $this->dispatch($plugin, '/checkout/index/'));
        self::assertSame($this->response, $this->dispatch($plugin, '/paypal/express/start'));
    }

    public function testOffAndFullModesLetTheRequestThrough(): void
    {
        // In full mode Magento's own flag answers before any controller, so the plugin has nothing to do.
        self::assertSame('controller ran', $this->dispatch($this->plugin('off'), '/checkout'));
        self::assertSame('controller ran', $this->dispatch($this->plugin('full'), '/checkout'));
    }
}
