<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Plugin\Framework\App;

use Magento\Framework\App\FrontControllerInterface;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\App\Response\Http as HttpResponse;
use Magento\Framework\HTTP\PhpEnvironment\Request as HttpRequest;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenancePage;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenanceStateStore;

/**
 * Serves the 503 page for storefront requests in the module's storefront and checkout modes.
 *
 * Declared in etc/frontend/di.xml only, so admin, REST and GraphQL stay reachable for responders.
 */
final class FrontControllerPlugin
{
    /**
     * @param list<string> $checkoutFrontNames first URL segments closed in checkout mode
     */
    public function __construct(
        private readonly MaintenanceStateStore $stateStore,
        private readonly MaintenancePage $page,
        private readonly HttpResponse $response,
        private readonly array $checkoutFrontNames = ['checkout', 'multishipping', 'paypal', 'braintree']
    ) {
    }

    /**
     * @return mixed the controller's result, or the 503 response
     */
    public function aroundDispatch(FrontControllerInterface $subject, callable $proceed, RequestInterface $request)
    {
        $state = $this->stateStore->read();
        if (!$this->isClosed($state['mode'], $request)) {
            return $proceed($request);
        }
        $this->response->setHttpResponseCode(503);
        $this->response->setHeader('Content-Type', 'text/html; charset=UTF-8', true);
        $this->response->setHeader('Retry-After', (string) $state['retry_after'], true);
        // Neither the page cache nor a proxy may keep this page once the store reopens.
        $this->response->setHeader('Cache-Control', 'no-store, no-cache, must-revalidate, max-age=0', true);
        $this->response->setBody($this->page->render($state));
        return $this->response;
    }

    private function isClosed(string $mode, RequestInterface $request): bool
    {
        if ($mode === 'storefront') {
            return true;
        }
        if ($mode !== 'checkout' || !$request instanceof HttpRequest) {
            return false;
        }
        $frontName = strtolower(explode('/', trim((string) $request->getPathInfo(), '/'))[0]);
        return in_array($frontName, $this->checkoutFrontNames, true);
    }
}
